/**
 * The API's routes: one table that the router dispatches on and the OpenAPI document
 * is generated from. Handlers receive validated input and a `Project`; they return
 * plain data (sent as JSON) and throw `ApiError`s. `sse` routes stream instead.
 */
import type { z } from "zod";
import { ApiError, badRequest } from "./errors.js";
import type { Project } from "./project.js";
import type { RunRecord } from "./runs.js";
import * as S from "./schemas.js";
import { checkSource, formatText, graphOfSource, blueprintOf } from "./source.js";

export type Method = "GET" | "POST" | "PUT";

export interface RouteInput {
  readonly params: Readonly<Record<string, string>>;
  readonly query: unknown;
  readonly body: unknown;
  readonly project: Project;
}

export interface Route {
  readonly method: Method;
  /** Path with `{param}` segments, e.g. `/api/threads/{threadId}/fork`. */
  readonly path: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly response?: z.ZodType;
  /** A Server-Sent-Events stream of a run's events (handled by the router). */
  readonly sse?: true;
  readonly handler: (input: RouteInput) => unknown;
}

const runJson = (r: RunRecord) => r.summary();
type SourceReq = z.infer<typeof S.SourceBody>;

/** A source request's body (validated against `S.SourceBody`), its file name defaulted to `untitled.rag`. */
function sourceReq(body: unknown): SourceReq & { readonly file: string } {
  const b = body as SourceReq;
  return { ...b, file: b.file ?? "untitled.rag" };
}

export const ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/api/info",
    summary: "the workspace, its config and the graph files",
    handler: ({ project }) => ({ workspace: project.workspace.root, config: project.config.path ?? null, approvals: project.approvalsPath, files: project.workspace.list() }),
  },
  {
    method: "POST",
    path: "/api/check",
    summary: "diagnostics (with machine fixes) of a source, against the config's registry",
    body: S.SourceBody,
    response: S.CheckResponse,
    handler: ({ body, project }) => {
      const b = sourceReq(body);
      return checkSource(b.source, b.file, project.registry.view());
    },
  },
  {
    method: "POST",
    path: "/api/format",
    summary: "the canonical formatting of a source (`rag fmt`); `text` is absent when formatting was refused",
    body: S.SourceBody,
    handler: ({ body }) => {
      const b = sourceReq(body);
      return formatText(b.source, b.file);
    },
  },
  {
    method: "POST",
    path: "/api/graph",
    summary: "a drawable view of a graph (nodes, edges by kind, clusters), node source spans, its input fields and default input",
    body: S.SourceBody,
    handler: ({ body, project }) => {
      const b = sourceReq(body);
      const r = graphOfSource(b.source, b.file, project.registry.view(), b.graph);
      const id = r.view?.id;
      return { ...r, defaultInput: id !== undefined ? (project.config.config.defaultInputs?.[id] ?? null) : null };
    },
  },
  {
    method: "POST",
    path: "/api/compile",
    summary: "the Blueprint IR of a graph (`rag compile`)",
    body: S.SourceBody,
    handler: ({ body, project }) => {
      const b = sourceReq(body);
      return blueprintOf(b.source, b.file, project.registry.view(), b.graph).blueprint;
    },
  },
  {
    method: "GET",
    path: "/api/registry",
    summary: "the registry snapshot the page's language worker compiles against (names, tool schemas, policy), approved hashes, and default inputs by graph",
    handler: ({ project }) => project.languageSnapshot(),
  },
  { method: "GET", path: "/api/files", summary: "the workspace's .rag and .ragsh files", handler: ({ project }) => project.workspace.list() },
  {
    method: "GET",
    path: "/api/file",
    summary: "read a workspace file",
    query: S.FileQuery,
    handler: ({ query, project }) => {
      const { path } = query as z.infer<typeof S.FileQuery>;
      return { path, content: project.workspace.read(path) };
    },
  },
  {
    method: "PUT",
    path: "/api/file",
    summary: "write a workspace .rag/.ragsh file",
    body: S.FileWriteBody,
    handler: ({ body, project }) => {
      const b = body as z.infer<typeof S.FileWriteBody>;
      project.workspace.write(b.path, b.content);
      return { path: b.path, bytes: Buffer.byteLength(b.content) };
    },
  },
  {
    method: "POST",
    path: "/api/runs",
    summary: "start a run of a workspace file's graph (checkpointed to the workspace's .rag/checkpoints.db)",
    body: S.RunBody,
    response: S.RunSummary,
    handler: async ({ body, project }) => runJson(await project.startRun(body as z.infer<typeof S.RunBody>)),
  },
  { method: "GET", path: "/api/runs", summary: "runs started since the server started, newest first (with a queue: the queue's newest 100)", handler: ({ project }) => project.runs.list() },
  { method: "GET", path: "/api/runs/{runId}", summary: "one run's status", response: S.RunSummary, handler: async ({ params, project }) => runJson(await project.runs.find(params.runId)) },
  {
    method: "GET",
    path: "/api/runs/{runId}/events",
    summary: "the run's events as Server-Sent Events (`id:` = event number; resumable with `Last-Event-ID`); ends with an `end` event",
    query: S.EventsQuery,
    sse: true,
    handler: () => undefined,
  },
  { method: "POST", path: "/api/runs/{runId}/cancel", summary: "cancel a running run (the thread keeps its last checkpoint)", handler: async ({ params, project }) => ({ cancelled: await project.runs.cancel(params.runId) }) },
  {
    method: "GET",
    path: "/api/threads",
    summary: "threads of the checkpoint file, most recent first: the file and graph each runs, its status, the failure or the questions it stopped on; `file`/`graph` keep one file's (one graph's) threads",
    query: S.ThreadsQuery,
    handler: ({ query, project }) => project.threads(query as z.infer<typeof S.ThreadsQuery>),
  },
  {
    method: "GET",
    path: "/api/threads/{threadId}/history",
    summary: "every checkpoint of a thread (or of its child run `namespace`), newest first, each with the tasks of the superstep run from it (`tasks`: how each ended, its writes, result or error)",
    query: S.HistoryQuery,
    handler: ({ params, query, project }) => project.history(params.threadId, (query as z.infer<typeof S.HistoryQuery>).namespace),
  },
  {
    method: "GET",
    path: "/api/threads/{threadId}/state",
    summary: "the state at a checkpoint (default: the latest), of the thread or of its child run `namespace`; `subgraphs=true` nests pending tasks' child runs",
    query: S.StateQuery,
    handler: ({ params, query, project }) => {
      const q = query as z.infer<typeof S.StateQuery>;
      return project.state(params.threadId, q.checkpoint, { ...(q.namespace !== undefined ? { namespace: q.namespace } : {}), ...(q.subgraphs === "true" ? { subgraphs: true } : {}) });
    },
  },
  {
    method: "POST",
    path: "/api/threads/{threadId}/state",
    summary: "updateState: write values through the reducers (of the child run `namespace`) as a new checkpoint",
    body: S.UpdateStateBody,
    handler: ({ params, body, project }) => {
      const b = body as z.infer<typeof S.UpdateStateBody>;
      return project.updateState(params.threadId, b.values, b.asNode, { ...(b.checkpointId !== undefined ? { checkpointId: b.checkpointId } : {}), ...(b.namespace !== undefined ? { namespace: b.namespace } : {}) });
    },
  },
  {
    method: "POST",
    path: "/api/threads/{threadId}/fork",
    summary: "copy a checkpoint into a new thread (resume the new thread to re-run from there); with `namespace`, branch the thread itself at a child run's checkpoint",
    body: S.ForkBody,
    handler: ({ params, body, project }) => {
      const b = body as z.infer<typeof S.ForkBody>;
      if (b.namespace !== undefined) {
        if (b.thread !== undefined) throw badRequest("`thread` and `namespace`: a child run's checkpoint is branched inside its own thread (its enclosing runs are there); leave out `thread`, or fork a root checkpoint without `namespace`");
        return project.branchAtChild(params.threadId, b.namespace, b.checkpointId);
      }
      return project.fork(params.threadId, b.checkpointId, b.thread);
    },
  },
  {
    method: "POST",
    path: "/api/threads/{threadId}/resume",
    summary: "continue a thread from its latest checkpoint, answering pending interrupts",
    body: S.ResumeBody,
    response: S.RunSummary,
    handler: async ({ params, body, project }) => runJson(await project.resume(params.threadId, body as z.infer<typeof S.ResumeBody>)),
  },
  { method: "GET", path: "/api/review", summary: "what each graph of a file binds, its hash, approval and semantic diff against the last approved version", query: S.ReviewQuery, handler: ({ query, project }) => project.review((query as z.infer<typeof S.ReviewQuery>).file) },
  {
    method: "POST",
    path: "/api/approve",
    summary: "approve a file's graphs by hash (the same `.rag/approvals.json` record `rag approve` writes)",
    body: S.ApproveBody,
    handler: ({ body, project }) => {
      const b = body as z.infer<typeof S.ApproveBody>;
      return project.approve(b.file, b);
    },
  },
  { method: "POST", path: "/api/repl", summary: "run one .ragsh cell in the studio's session (rules of `rag repl`)", body: S.ReplBody, handler: ({ body, project }) => project.replCell((body as z.infer<typeof S.ReplBody>).source) },
];

/** Finds the route for a method and path; params are decoded. */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const parts = path.split("/");
  let pathMatched = false;
  for (const route of ROUTES) {
    const rparts = route.path.split("/");
    if (rparts.length !== parts.length) continue;
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    let ok = true;
    for (let i = 0; i < rparts.length && ok; i++) {
      const r = rparts[i];
      if (r.startsWith("{")) {
        let v: string;
        try {
          v = decodeURIComponent(parts[i]);
        } catch {
          return undefined;
        }
        if (!/^[\w.:-]{1,200}$/.test(v) || v === "." || v === "..") ok = false;
        else params[r.slice(1, -1)] = v;
      } else ok = r === parts[i];
    }
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  if (pathMatched) throw new ApiError("method_not_allowed", `${method} is not allowed on ${path}`, 405);
  return undefined;
}
