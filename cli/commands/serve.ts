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
import { CliError } from "../errors.js";
import { CheckpointError } from "../../runtime/index.js";
import { openServerStores } from "../server-stores.js";

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
  const stores = await openServerStores(opts);
  let project: Project;
  try {
    project = new Project(workspace, await loadStudioConfig(workspace.root, opts.config, importConfigModule), { ...stores.stores, ...(maxActiveRuns !== undefined ? { maxActiveRuns } : {}) });
  } catch (e) {
    // Every error path closes what is open (a queue or a Postgres pool left open kept the
    // process alive after the error: it hung instead of exiting).
    await stores.close();
    if (e instanceof ConfigLoadError || e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
  const server = await startStudioServer({ project, port, token, ...(opts.host ? { host: opts.host } : {}), ...(opts.allowHost?.length ? { allowHosts: opts.allowHost } : {}) }).catch(async (e: Error) => {
    project.close();
    await stores.close();
    throw new CliError(`cannot listen on ${opts.host ?? "127.0.0.1"}:${port}: ${e.message}`);
  });
  process.stdout.write(`ragraph API serving ${workspace.root} at ${server.origin}/api/ (${stores.runsWhere})\n`);
  if (fromEnv === undefined) process.stdout.write(`token (set ${envName} to choose one): ${token}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
  project.close();
  await stores.close();
  return 0;
}
