/**
 * `rag studio [DIR] [--config PATH] [--port N] [--host H] [--no-open]`: builds the page
 * (or reuses a build of the same sources), serves DIR (default `.`) on 127.0.0.1 and
 * prints the URL with its per-start token; opens a browser unless `--no-open`. Runs
 * until Ctrl-C. Exit 2 on a usage or config error.
 */
import { importConfigModule } from "../import-config.js";
import { spawn } from "node:child_process";
import "../../stdlib/node-sha256.js";
import { ConfigLoadError, loadStudioConfig, Project, startStudioServer, Workspace, ApiError } from "../../server/index.js";
import { buildStudio, StudioPageError } from "../../studio/build.js";
import { CliError } from "../errors.js";
import { CheckpointError } from "../../runtime/index.js";

export interface StudioOptions {
  readonly config?: string;
  readonly port?: string;
  readonly host?: string;
  /** False with `--no-open`. */
  readonly open?: boolean;
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
  let project: Project;
  try {
    project = new Project(workspace, await loadStudioConfig(workspace.root, opts.config, importConfigModule));
  } catch (e) {
    if (e instanceof ConfigLoadError || e instanceof CheckpointError) throw new CliError(e.message);
    throw e;
  }
  const staticDir = await buildStudio().catch((e: unknown) => {
    if (e instanceof StudioPageError) throw new CliError(e.message);
    throw e;
  });
  const server = await startStudioServer({ project, staticDir, port, ...(opts.host ? { host: opts.host } : {}) }).catch((e: Error) => {
    throw new CliError(`cannot listen on ${opts.host ?? "127.0.0.1"}:${port}: ${e.message}`);
  });
  process.stdout.write(`ragraph studio serving ${workspace.root}\n  ${server.url}\n(Ctrl-C stops it)\n`);
  if (opts.host && !["127.0.0.1", "localhost", "::1"].includes(opts.host)) process.stderr.write(`warning: listening on ${opts.host}: anyone who can reach it and has the token can run graphs\n`);
  if (opts.open !== false) {
    const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
    spawn(opener, [server.url], { stdio: "ignore", detached: true }).on("error", () => undefined).unref();
  }
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  await server.close();
  project.close();
  return 0;
}
