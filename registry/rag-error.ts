/**
 * `RagError`, the base of every typed error a run can raise (`runtime.md` §5): a stable
 * `code`, where it happened (graph, node, task id, step) and plain JSON for events and
 * `--json` output. It lives in registry/, the earliest stage that raises such errors
 * (`SpendCountError` of the budget ledger), so registry/ and every later stage share one
 * class; `runtime/errors.ts` re-exports it with the runtime's error classes.
 */

/** Where an error happened; each part is absent when not known. */
export interface ErrorWhere {
  readonly graph?: string;
  readonly node?: string;
  readonly taskId?: string;
  readonly step?: number;
}

/** A typed error with a stable `code` (subclasses declare it) and where it happened. */
export abstract class RagError extends Error {
  abstract readonly code: string;
  readonly graph?: string;
  readonly node?: string;
  readonly taskId?: string;
  readonly step?: number;

  constructor(message: string, where: ErrorWhere = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.assign(this, where);
  }

  /** Plain data for events and `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.graph !== undefined ? { graph: this.graph } : {}),
      ...(this.node !== undefined ? { node: this.node } : {}),
      ...(this.taskId !== undefined ? { taskId: this.taskId } : {}),
      ...(this.step !== undefined ? { step: this.step } : {}),
      ...this.details(),
    };
  }

  protected details(): Record<string, unknown> {
    return {};
  }
}
