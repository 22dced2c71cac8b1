/**
 * `rag runs update THREAD --values JSON [--as-node NODE] [--checkpoint ID]`: writes
 * values into a thread through its graph's reducers as a new checkpoint (source
 * `update`; LangGraph's `updateState`). The graph is the one the thread was started
 * with (`rag run` records its file, graph and config); `--file` overrides it.
 * `--as-node END` clears the next tasks; `--checkpoint` edits an older checkpoint (a
 * fork inside the thread); `--namespace NS` edits a child run (a subgraph node's run: its
 * full namespace or a node path such as `review`) through the child graph's reducers —
 * resuming the thread re-runs the parent's task, whose child continues from the edit.
 * Prints the new checkpoint and how to resume from it.
 */
import { CheckpointError, InvalidUpdateError, NamespaceError } from "../../runtime/index.js";
import { DEFAULT_CHECKPOINTS, openCheckpoints, resumeCommandLine, closeCheckpoints } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { parseJsonArg } from "../files.js";
import { printableId } from "../../stdlib/printable.js";
import { stateJson } from "./runs.js";
import { checkNamespaceFlag, namespaceCliError, threadBusyCliError, threadGraph } from "./thread-graph.js";

export interface UpdateRunOptions {
  readonly values: string;
  readonly asNode?: string;
  readonly checkpoint?: string;
  readonly checkpoints?: string;
  readonly file?: string;
  readonly graph?: string;
  readonly config?: string;
  readonly allowBlueprintChange?: boolean;
  readonly json?: boolean;
  /** Edit this child run instead of the root graph (full namespace or node path). */
  readonly namespace?: string;
}

/** @throws CliError for bad JSON, an unknown thread, node, checkpoint or namespace, or a write the reducers refuse. */
export async function updateRun(threadId: string, opts: UpdateRunOptions): Promise<number> {
  // Untrusted JSON, as --input: null-prototype objects, `__proto__` keys and deep nesting refused, `@file` read bounded.
  const values = parseJsonArg("--values", opts.values);
  const ns = checkNamespaceFlag(opts.namespace);
  const checkpoints = opts.checkpoints ?? DEFAULT_CHECKPOINTS;
  const saver = openCheckpoints(checkpoints, true);
  try {
    const { graph } = await threadGraph(saver, threadId, checkpoints, opts);
    let s;
    try {
      s = await graph.updateState(threadId, values as Record<string, unknown>, {
        ...(opts.asNode !== undefined ? { asNode: opts.asNode } : {}),
        ...(opts.checkpoint !== undefined ? { checkpointId: opts.checkpoint } : {}),
        ...(opts.allowBlueprintChange ? { allowBlueprintChange: true } : {}),
        ...(ns ? { namespace: ns } : {}),
      });
    } catch (e) {
      if (e instanceof NamespaceError) throw namespaceCliError(threadId, ns, e);
      const busy = threadBusyCliError(e);
      if (busy) throw busy;
      if (e instanceof CheckpointError || e instanceof InvalidUpdateError) throw new CliError(e.message);
      throw e;
    }
    if (opts.json) process.stdout.write(JSON.stringify(stateJson(s), null, 2) + "\n");
    else {
      const next = s.next.map((t) => t.node).join(", ") || "nothing (the thread is done)";
      process.stdout.write(`updated ${threadId}${s.namespace ? ` (namespace ${printableId(s.namespace)})` : ""}: checkpoint ${s.checkpointId} (step ${s.step}), next: ${next}\n`);
      if (s.status !== "completed") process.stdout.write(`resume with: ${resumeCommandLine(threadId, s.interrupts, opts.checkpoints)}\n`);
    }
    return 0;
  } finally {
    await closeCheckpoints(saver);
  }
}
