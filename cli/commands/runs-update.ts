/**
 * `rag runs update THREAD --values JSON [--as-node NODE] [--checkpoint ID]`: writes
 * values into a thread through its graph's reducers as a new checkpoint (source
 * `update`; LangGraph's `updateState`). The graph is the one the thread was started
 * with (`rag run` records its file, graph and config); `--file` overrides it.
 * `--as-node END` clears the next tasks; `--checkpoint` edits an older checkpoint (a
 * fork inside the thread). Prints the new checkpoint and how to resume from it.
 */
import { CheckpointError, InvalidUpdateError, BlueprintMismatchError } from "../../runtime/index.js";
import { DEFAULT_CHECKPOINTS, openCheckpoints, resumeCommandLine, type RunOrigin, closeCheckpoints } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { loadGraph } from "./run.js";
import { stateJson } from "./runs.js";

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
}

/** @throws CliError for bad JSON, an unknown thread, node or checkpoint, or a write the reducers refuse. */
export async function updateRun(threadId: string, opts: UpdateRunOptions): Promise<number> {
  let values: unknown;
  try {
    values = JSON.parse(opts.values);
  } catch (e) {
    throw new CliError(`--values is not JSON: ${(e as Error).message}`);
  }
  if (!values || typeof values !== "object" || Array.isArray(values)) throw new CliError('--values must be a JSON object of state fields, e.g. \'{"draft": "v2"}\'');
  const checkpoints = opts.checkpoints ?? DEFAULT_CHECKPOINTS;
  const saver = openCheckpoints(checkpoints, true);
  try {
    const tuple = await saver.getTuple({ threadId });
    if (!tuple) throw new CliError(`no thread ${threadId} in ${checkpoints} (\`rag runs\` lists the threads there)`);
    const origin = tuple.metadata.origin as RunOrigin | undefined;
    const file = opts.file ?? origin?.file;
    if (!file) throw new CliError(`thread ${threadId} was not started by \`rag run\`, so it does not say which file it runs; pass --file FILE`);
    const config = opts.config ?? (opts.file === undefined ? (origin?.config ?? undefined) : undefined);
    const { graph } = await loadGraph(file, { graph: opts.graph ?? (opts.file === undefined ? origin?.graph : undefined) ?? tuple.checkpoint.graph, ...(config ? { config } : {}) }, saver);
    let s;
    try {
      s = await graph.updateState(threadId, values as Record<string, unknown>, {
        ...(opts.asNode !== undefined ? { asNode: opts.asNode } : {}),
        ...(opts.checkpoint !== undefined ? { checkpointId: opts.checkpoint } : {}),
        ...(opts.allowBlueprintChange ? { allowBlueprintChange: true } : {}),
      });
    } catch (e) {
      if (e instanceof CheckpointError || e instanceof InvalidUpdateError || e instanceof BlueprintMismatchError) throw new CliError(e.message);
      throw e;
    }
    if (opts.json) process.stdout.write(JSON.stringify(stateJson(s), null, 2) + "\n");
    else {
      const next = s.next.map((t) => t.node).join(", ") || "nothing (the thread is done)";
      process.stdout.write(`updated ${threadId}: checkpoint ${s.checkpointId} (step ${s.step}), next: ${next}\n`);
      if (s.status !== "completed") process.stdout.write(`resume with: ${resumeCommandLine(threadId, s.interrupts, opts.checkpoints)}\n`);
    }
    return 0;
  } finally {
    await closeCheckpoints(saver);
  }
}
