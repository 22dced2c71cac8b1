/** A studio server over a temp copy of examples/ (the examples' config, in place, names the registry). */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStudioConfig, Project, startStudioServer, Workspace, type StudioServer } from "../../server/index.js";

export const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

export interface TestStudio {
  readonly dir: string;
  readonly server: StudioServer;
  readonly project: Project;
  api<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: T }>;
  close(): Promise<void>;
}

/** Copies the example .rag/.ragsh files into a temp workspace and serves it. */
export async function testStudio(opts: { staticDir?: string; requestTimeoutMs?: number; maxEventStreams?: number; port?: number } = {}): Promise<TestStudio> {
  const dir = mkdtempSync(join(tmpdir(), "rag-studio-"));
  for (const f of readdirSync(EXAMPLES)) if (/^[^.].*\.(rag|ragsh)$/.test(f)) copyFileSync(join(EXAMPLES, f), join(dir, f));
  const config = await loadStudioConfig(dir, join(EXAMPLES, "rag.config.ts"));
  const project = new Project(new Workspace(dir), config, { approvals: join(dir, ".rag", "approvals.json") });
  const { staticDir, requestTimeoutMs, maxEventStreams, port } = opts;
  let server: StudioServer;
  try {
    server = await startStudioServer({ project, ...(staticDir ? { staticDir } : {}), ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}), ...(maxEventStreams !== undefined ? { maxEventStreams } : {}), ...(port !== undefined ? { port } : {}) });
  } catch (e) {
    project.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    server,
    project,
    async api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(server.origin + path, {
        method,
        headers: { authorization: `Bearer ${server.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
    },
    async close() {
      await server.close();
      project.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
