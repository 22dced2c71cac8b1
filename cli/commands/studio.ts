/**
 * `rag studio [DIR] [--config PATH] [--port N] [--host H] [--no-open]
 * [--checkpoints PATH|postgres://…] [--queue redis://…]`: builds the page (or reuses a
 * build of the same sources), serves DIR (default `.`) on 127.0.0.1 and prints the URL
 * with its per-start token; opens a browser unless `--no-open`. Runs, threads, time
 * travel and approvals use DIR's `.rag/checkpoints.db`, or the store `--checkpoints`
 * names (the same flag as `rag run` and `rag serve`); with `--queue`, runs are enqueued
 * for `rag worker`s as `rag serve --queue` does. Runs until Ctrl-C (or SIGTERM). Exit 2
 * on a usage or config error.
 */
import { join } from "node:path";
import { FileWatches } from "../file-watch.js";
import { importConfigFresh } from "../import-config.js";

/** Pause after a change to the config (or a file it imports) before it is loaded again: a save of several files loads once, ms. */
const RELOAD_DELAY_MS = 150;
import { spawn } from "node:child_process";
import "../../stdlib/node-sha256.js";
import { ConfigLoadError, loadStudioConfig, Project, startStudioServer, Workspace, ApiError } from "../../server/index.js";
import { buildStudio, StudioPageError } from "../../studio/build.js";
import { CliError } from "../errors.js";
import { CheckpointError } from "../../runtime/index.js";
import { openServerStores } from "../server-stores.js";

export interface StudioOptions {
  readonly config?: string;
  readonly port?: string;
  readonly host?: string;
  /** False with `--no-open`. */
  readonly open?: boolean;
  /** `--checkpoints PATH|postgres://…` (default `DIR/.rag/checkpoints.db`). */
  readonly checkpoints?: string;
  /** `--queue redis://…`: enqueue runs for `rag worker`s (needs `--checkpoints postgres://…`). */
  readonly queue?: string;
}

export async function studioCommand(dir: string | undefined, opts: StudioOptions): Promise<number> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, not ${opts.port}`);
  let workspace: Workspace;
  try {
    workspace = new Workspace(dir ?? ".");
  } catch (e) {
    throw new CliError(e instanceof ApiError ? e.message : String(e));
  }
  const stores = await openServerStores(opts);
  // The config is followed: when it, or a file of the project it imports, changes, it is
  // loaded again (as on disk now) and what starts from then on uses it; a config that no
  // longer loads leaves the previous one in place and says why on stderr.
  const watches = new FileWatches();
  let project: Project | undefined;
  let reloading: ReturnType<typeof setTimeout> | undefined;
  /** Loads started so far: a load that ends after a newer one started is dropped. */
  let loads = 0;
  const load = () => loadStudioConfig(workspace.root, opts.config, (p) => importConfigFresh(p, (file) => watches.watch("config", file, changed)));
  /** Set at Ctrl-C (or a failed start): nothing loads or reloads after it. */
  let closed = false;
  const changed = () => {
    if (closed) return;
    clearTimeout(reloading);
    reloading = setTimeout(() => {
      // The watches stay (a file saved while the config loads is seen); the load adds any new file it imports.
      const mine = ++loads;
      load().then(
        (config) => {
          if (mine !== loads || closed) return;
          project?.reloadConfig(config);
          process.stderr.write(`config ${config.path ?? ""} changed: loaded again (runs started from now on use it; the page picks it up when it gets the focus)\n`);
        },
        (e: Error) => mine === loads && !closed && process.stderr.write(`config changed but does not load: ${e.message} (the previous config stays in use)\n`),
      );
    }, RELOAD_DELAY_MS);
  };
  // Closes what is open, whenever the start fails (a Postgres pool or a queue left open
  // would keep the process alive after the error) and at Ctrl-C.
  const stop = async (): Promise<void> => {
    closed = true;
    clearTimeout(reloading);
    watches.close();
    project?.close();
    await stores.close();
  };
  try {
    project = new Project(workspace, await load(), stores.stores);
    // No config yet: one created in the workspace later is loaded as an edit would be.
    if (!opts.config && !project.config.path) watches.watch("config", join(workspace.root, "rag.config.ts"), changed);
  } catch (e) {
    await stop();
    if (e instanceof ConfigLoadError || e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
  const staticDir = await buildStudio().catch(async (e: unknown) => {
    await stop();
    if (e instanceof StudioPageError) throw new CliError(e.message);
    throw e;
  });
  const server = await startStudioServer({ project, staticDir, port, ...(opts.host ? { host: opts.host } : {}) }).catch(async (e: Error) => {
    await stop();
    throw new CliError(`cannot listen on ${opts.host ?? "127.0.0.1"}:${port}: ${e.message}`);
  });
  process.stdout.write(`ragraph studio serving ${workspace.root}${stores.queued ? ` (${stores.runsWhere})` : ""}\n  ${server.url}\n(Ctrl-C stops it)\n`);
  if (opts.host && !["127.0.0.1", "localhost", "::1"].includes(opts.host)) process.stderr.write(`warning: listening on ${opts.host}: anyone who can reach it and has the token can run graphs\n`);
  if (opts.open !== false) {
    const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
    spawn(opener, [server.url], { stdio: "ignore", detached: true }).on("error", () => undefined).unref();
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
  await stop();
  return 0;
}
