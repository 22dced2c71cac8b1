/**
 * Run-time control flow a node or tool returns (LangGraph's `Command({goto})` and `Send`):
 * the targets and the Command a Send packet carries. A leaf module, so the tool and
 * node-kind contracts can both name these types without importing each other.
 */

/**
 * A `goto` target: a node name, or a Send packet (a task of `node` that sees `args`). A
 * packet may carry a `command` (LangGraph's `Send(node, Command(...))`): once the task
 * completes, `update` is written (channel → value, through the reducers) with its writes
 * and `goto` runs like the task's own.
 */
export type GotoTarget = string | { readonly node: string; readonly args?: unknown; readonly command?: SendCommand };

/** The Command a Send packet carries. */
export interface SendCommand {
  readonly goto?: readonly GotoTarget[];
  readonly update?: Readonly<Record<string, unknown>>;
}
