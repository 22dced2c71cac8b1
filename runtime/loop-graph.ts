/**
 * What the superstep loop (`run.ts`) needs from its compiled graph. Its own module so
 * the modules the loop calls (`child.ts`, `remote-branch.ts`) can name it without
 * importing the loop.
 */
import type { Blueprint, GrantLimit } from "../compiler/index.js";
import type { Registry } from "../registry/index.js";
import type { RunAuthority } from "./authority.js";
import type { Checkpointer } from "./checkpoint/types.js";
import type { GraphIndex } from "./graph-index.js";
import type { EventSink, ParentLink, RunOptions, RunResult } from "./run-options.js";
import type { ChannelTable } from "./state.js";
import type { NestedGraph } from "./subgraph-state.js";

/** What the loop needs from its compiled graph. */
export interface LoopGraph {
  readonly blueprint: Blueprint;
  readonly registry: Registry;
  readonly index: GraphIndex;
  readonly channels: ChannelTable;
  readonly checkpointer: Checkpointer | undefined;
  /** Decides every capability use of the run's tasks. */
  readonly authority: RunAuthority;
  /** The compiled graph `name` runs as when this graph runs it as a child (time travel into child runs). */
  subgraph?(name: string): NestedGraph | undefined;
  /** Runs a graph of the same file or the registry as a child run under `limits` (`authority.childLimits`; `input` null: resume its checkpoint). */
  child(graph: string, input: Record<string, unknown> | null, options: RunOptions, parent: ParentLink, sink: EventSink | undefined, limits?: readonly GrantLimit[]): Promise<RunResult>;
  /** Binds (once) the graph `child` runs under `limits`; throws BindError, PolicyError or ReviewRequiredError when it cannot. */
  bindChild(graph: string, limits?: readonly GrantLimit[]): unknown;
}
