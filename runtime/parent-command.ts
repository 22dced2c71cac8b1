/**
 * Commands addressed to the parent graph (LangGraph's `Command({graph: Command.PARENT})`,
 * `libs/langgraph-core/src/errors.ts` `ParentCommand` and `pregel/retry.ts`): a task of a
 * subgraph returns `graph: "PARENT"` with writes and `goto`; the subgraph's run stops at
 * the end of its step and throws a `ParentCommand`; the child-run call of the parent's
 * task (`child.ts`) marks it arrived, and the parent task then completes with those
 * writes and `goto` instead of the subgraph's output.
 */
import type { GotoTarget } from "../registry/index.js";

/** What a command for the parent graph carries. */
export interface ParentCommandBody {
  /** Parent channel → value pairs, applied through the parent's reducers in order. */
  readonly writes: readonly (readonly [channel: string, value: unknown])[];
  /** Node names or Send packets of the parent graph. */
  readonly goto: readonly GotoTarget[];
  /** Set when tools' Commands chose `goto` (their names): the parent admits only targets its subgraph node may reach (`RunAuthority.checkGoto`). */
  readonly tools?: readonly string[];
}

/**
 * The control-flow signal that carries a command out of a subgraph run (not an error: it
 * is never retried and fails nothing). Node implementations that catch everything around
 * `task.runGraph` must rethrow it (`isParentCommand(e)`).
 */
export class ParentCommand extends Error {
  constructor(
    readonly command: ParentCommandBody,
    /** Where it was raised: the subgraph and its node. */
    readonly origin: { readonly graph: string; readonly node: string },
    /** True once the command left the subgraph run: the task that ran it handles it. */
    readonly arrived = false,
  ) {
    super(`node \`${origin.node}\` of graph \`${origin.graph}\` sent a command to its parent graph`);
    this.name = "ParentCommand";
  }
}

/** True for the signal a subgraph's parent command travels in (rethrow it from catch-all handlers). */
export function isParentCommand(e: unknown): e is ParentCommand {
  return e instanceof ParentCommand;
}

/** One command of several raised in the same superstep: writes and targets in task order. */
export function mergeParentCommands(all: readonly ParentCommand[]): ParentCommand {
  if (all.length === 1) return all[0];
  const tools = all.flatMap((c) => c.command.tools ?? []);
  return new ParentCommand({ writes: all.flatMap((c) => c.command.writes), goto: all.flatMap((c) => c.command.goto), ...(tools.length ? { tools } : {}) }, all[0].origin);
}
