/**
 * `rag serve [DIR] [--host H] [--port N] [--config PATH] [--checkpoints PATH|postgres://…]
 * [--queue redis://…] [--token-env NAME] [--allow-host NAME]… [--max-runs N]`: the HTTP + SSE API of
 * docs/api.md without the studio page (issue 13 §3). With `--checkpoints postgres://…`
 * and `--queue` it is stateless: runs are enqueued for `rag worker`s and their events
 * read from Redis, threads from Postgres, so any number of serve processes can stand
 * behind a load balancer. Every request needs the API token (`RAG_API_TOKEN`, or the
 * variable `--token-env` names; a random one, printed, when unset) and a `Host` naming
 * this server (loopback, `--host`, or an `--allow-host` name). Runs until Ctrl-C/SIGTERM.
 */
import { importConfigModule } from "../import-config.js";
import { ApiError, ConfigLoadError, loadStudioConfig, Project, startStudioServer, Workspace } from "../../server/index.js";
import { newToken } from "../../server/security.js";
import { MIN_TOKEN_CHARS } from "../../server/http.js";
import { isPostgresUrl, PostgresCheckpointer, QueueRunSubmitter, ScaleConfigError, QueueUnavailableError } from "../../scale/index.js";
import type { Checkpointer } from "../../runtime/index.js";
import { CliError } from "../errors.js";
import { CheckpointError } from "../../runtime/index.js";
import { openCheckpoints } from "../checkpoints.js";

export interface ServeOptions {
  readonly config?: string;
  readonly port?: string;
  readonly host?: string;
  readonly checkpoints?: string;
  readonly queue?: string;
  readonly tokenEnv?: string;
  readonly allowHost?: readonly string[];
  /** `--max-runs N`: runs going at once (default `MAX_ACTIVE_RUNS`). */
  readonly maxRuns?: string;
}

export async function serveCommand(dir: string | undefined, opts: ServeOptions): Promise<number> {
  const port = opts.port === undefined ? 8123 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, not ${opts.port}`);
  if (opts.queue !== undefined && (opts.checkpoints === undefined || !isPostgresUrl(opts.checkpoints))) throw new CliError("--queue needs --checkpoints postgres://… (the store the workers write)");
  const maxActiveRuns = opts.maxRuns === undefined ? undefined : Number(opts.maxRuns);
  if (maxActiveRuns !== undefined && !(Number.isSafeInteger(maxActiveRuns) && maxActiveRuns > 0)) throw new CliError(`--max-runs must be a positive integer, not ${opts.maxRuns}`);
  const envName = opts.tokenEnv ?? "RAG_API_TOKEN";
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv.trim().length < MIN_TOKEN_CHARS) throw new CliError(`${envName} must hold a token of at least ${MIN_TOKEN_CHARS} characters that are not blank`);
  const token = fromEnv ?? newToken();
  let workspace: Workspace;
  try {
    workspace = new Workspace(dir ?? ".");
  } catch (e) {
    throw new CliError(e instanceof ApiError ? e.message : String(e));
  }
  let queue: QueueRunSubmitter | undefined;
  try {
    queue = opts.queue !== undefined ? new QueueRunSubmitter(opts.queue) : undefined;
  } catch (e) {
    if (e instanceof ScaleConfigError) throw new CliError(`--queue: ${e.message}`);
    throw e;
  }
  // A Redis that is down is said at start, not by every request that would enqueue.
  try {
    await queue?.ping();
  } catch (e) {
    await queue?.close();
    if (e instanceof QueueUnavailableError) throw new CliError(`--queue: ${e.message}`);
    throw e;
  }
  // From here on every error path closes what is open (a queue or a Postgres pool left
  // open kept the process alive after "cannot listen …": it hung instead of exiting).
  let checkpointer: Checkpointer | undefined;
  const closeOpen = async (): Promise<void> => {
    await queue?.close();
    if (checkpointer instanceof PostgresCheckpointer) await checkpointer.closeAsync();
    else checkpointer?.close?.();
  };
  let project: Project;
  try {
    checkpointer = opts.checkpoints !== undefined ? openCheckpoints(opts.checkpoints) : undefined;
    project = new Project(workspace, await loadStudioConfig(workspace.root, opts.config, importConfigModule), { ...(checkpointer ? { checkpointer } : {}), ...(queue ? { queue } : {}), ...(maxActiveRuns !== undefined ? { maxActiveRuns } : {}) });
  } catch (e) {
    await closeOpen();
    if (e instanceof ConfigLoadError || e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
  const server = await startStudioServer({ project, port, token, ...(opts.host ? { host: opts.host } : {}), ...(opts.allowHost?.length ? { allowHosts: opts.allowHost } : {}) }).catch(async (e: Error) => {
    project.close();
    await closeOpen();
    throw new CliError(`cannot listen on ${opts.host ?? "127.0.0.1"}:${port}: ${e.message}`);
  });
  process.stdout.write(`ragraph API serving ${workspace.root} at ${server.origin}/api/ (${queue ? `runs queued on ${queue.url.shown} queue ${queue.url.queue}` : "runs in this process"})\n`);
  if (fromEnv === undefined) process.stdout.write(`token (set ${envName} to choose one): ${token}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
  project.close();
  if (checkpointer instanceof PostgresCheckpointer) await checkpointer.closeAsync();
  await queue?.close();
  return 0;
}
