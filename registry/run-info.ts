/**
 * Identity of the run a task or model call belongs to (`runtime.md` §6). A leaf module:
 * the node-kind contract and the model middleware both name it.
 */
export interface RunInfo {
  readonly runId: string;
  readonly rootRunId: string;
  readonly parentRunId?: string;
  readonly threadId: string;
  readonly graph: string;
  /** `graph` for a root run, `parent/child` for nested runs. */
  readonly namespace: string;
  /**
   * The run's checkpoint namespace (LangGraph's `checkpoint_ns`): `""` for a root run; in a
   * child run (a subgraph), `taskId:graph[@lineage]` levels joined with `|` — what
   * `getState(thread, undefined, { namespace })` and `getStateHistory` take.
   */
  readonly checkpointNs: string;
  readonly depth: number;
  readonly step: number;
}
