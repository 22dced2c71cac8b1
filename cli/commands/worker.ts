/**
 * `rag worker --queue redis://… --checkpoints postgres://… [--config PATH]
 * [--concurrency N] [--lock-duration MS] [--distribute branches] [--branch-concurrency N]`:
 * runs queued runs (issue 13 §2) until Ctrl-C
 * or SIGTERM, which stop taking jobs and wait for the running ones (a second signal
 * abandons them: another worker takes them over after the lease expires). Jobs compile
 * against the config's registry (default: the standard registry). Exit 2 on a usage or
 * config error.
 */
import { cwd } from "node:process";
import { join } from "node:path";
import { isPostgresUrl, PostgresCheckpointer, QueueUnavailableError, RunWorker, ScaleConfigError } from "../../scale/index.js";
import { CliError } from "../errors.js";
import { configPathFor, loadConfig, useProjectApprovals } from "../files.js";
import { noticePrinter } from "../notices.js";


export interface WorkerCommandOptions {
  readonly queue?: string;
  readonly checkpoints?: string;
  readonly config?: string;
  readonly concurrency?: string;
  readonly lockDuration?: string;
  readonly distribute?: string;
  readonly branchConcurrency?: string;
}

function positive(flag: string, v: string | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${flag} must be a whole number from 1 to ${max}, not ${v}`);
  return n;
}

export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  if (!opts.queue) throw new CliError("rag worker needs --queue redis://host:port[?queue=NAME&prefix=PREFIX]");
  if (!opts.checkpoints || !isPostgresUrl(opts.checkpoints)) throw new CliError("rag worker needs --checkpoints postgres://… (the store every worker and `rag serve` share)");
  const concurrency = positive("--concurrency", opts.concurrency, 1, 1000);
  const lockDurationMs = positive("--lock-duration", opts.lockDuration, 30_000, 3_600_000);
  const branchConcurrency = positive("--branch-concurrency", opts.branchConcurrency, 16, 10_000);
  if (opts.distribute !== undefined && opts.distribute !== "branches" && opts.distribute !== "none") throw new CliError(`--distribute must be \`branches\` or \`none\`, not ${opts.distribute}`);
  const loaded = await loadConfig(configPathFor(undefined, opts.config));
  // The flag wins over the config's `worker.distribute`.
  const distribute = (opts.distribute as "branches" | "none" | undefined) ?? loaded.config.worker?.distribute;
  useProjectApprovals(loaded.registry, loaded.path ?? join(cwd(), "worker"), loaded.path);
  const checkpointer = new PostgresCheckpointer(opts.checkpoints);
  let worker: RunWorker;
  try {
    // What the worker refused outside of a job (a forged cancellation) is printed, not silent.
    const onNotice = noticePrinter((line) => void process.stderr.write(line));
    worker = new RunWorker({ queue: opts.queue, checkpointer, registry: loaded.registry, concurrency, lockDurationMs, branchConcurrency, onNotice, ...(distribute ? { distribute } : {}) });
  } catch (e) {
    await checkpointer.closeAsync();
    if (e instanceof ScaleConfigError) throw new CliError(`--queue: ${e.message}`);
    throw e;
  }
  try {
    await checkpointer.threads().catch((e: Error) => {
      throw new CliError(e.message);
    });
    await worker.start();
  } catch (e) {
    await worker.close(true).catch(() => undefined);
    await checkpointer.closeAsync();
    if (e instanceof QueueUnavailableError) throw new CliError(`--queue: ${e.message}`);
    throw e;
  }
  process.stdout.write(`worker ${worker.name} taking runs from ${worker.url.shown} queue ${worker.url.queue} (concurrency ${concurrency}, branches ${branchConcurrency}${distribute === "branches" ? ", distribute: branches" : ""}; checkpoints ${checkpointer.url} schema ${checkpointer.schema})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stdout.write(`stopping: waiting for ${worker.running} running run(s) (Ctrl-C again abandons them to other workers)\n`);
  const force = () => void worker.close(true);
  process.once("SIGINT", force);
  process.once("SIGTERM", force);
  await worker.close();
  await checkpointer.closeAsync();
  return 0;
}
