/**
 * Request bodies and query strings of the API, as zod schemas: the router validates
 * every request with them, and the OpenAPI document (`GET /api/openapi.json`,
 * docs/api.md) is generated from them (`z.toJSONSchema`).
 */
import { z } from "zod";
import { MAX_NAMESPACE_LENGTH } from "../runtime/namespace.js";

/** Largest source text accepted in a request body, in characters. */
export const MAX_SOURCE_CHARS = 2_000_000;

const relPath = z.string().min(1).max(1024).describe("path relative to the workspace, e.g. `research_review.rag`");
const id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/, "letters, digits, `_`, `.`, `:` and `-` only")
  .refine((v) => v !== "." && v !== "..", "`.` and `..` are not ids (a URL path cannot name them)");

export const SourceBody = z.object({
  source: z.string().max(MAX_SOURCE_CHARS).describe(".rag source text"),
  file: relPath.optional().describe("the name diagnostics use (default `untitled.rag`)"),
  graph: z.string().max(200).optional().describe("graph to draw or compile (default: the first)"),
});

export const FileQuery = z.object({ path: relPath });
export const FileWriteBody = z.object({ path: relPath, content: z.string().max(MAX_SOURCE_CHARS) });

export const RunBody = z.object({
  file: relPath.describe("the `.rag` file to run"),
  graph: z.string().max(200).optional(),
  input: z.record(z.string(), z.unknown()).optional().describe("run input (default: the config's `defaultInputs` for the graph)"),
  thread: id.optional().describe("thread id (default: a new one)"),
});

export const ResumeBody = z.object({
  answer: z.unknown().optional().describe("the answer to the one pending interrupt"),
  answers: z.record(z.string(), z.unknown()).optional().describe("answers by interrupt id"),
});

/** A child run (subgraph node, graph send target) of a thread: its checkpoint namespace or a node path (`runtime.md` §3). */
const namespace = z
  .string()
  .min(1)
  .max(MAX_NAMESPACE_LENGTH)
  .regex(/^[^\u0000-\u001f\u007f]+$/, "no control characters")
  .describe("a child run (subgraph node): its checkpoint namespace (`2.0:review`, levels joined with `|`) or a node path (`review`, `outer|inner`)");
/** `subgraphs=true` in a query string. */
const subgraphsFlag = z.enum(["true", "false"]).optional().describe("`true`: nest each pending task's child run as `subgraphs[taskId]` (its snapshot at its latest checkpoint, nested the same way)");

export const UpdateStateBody = z.object({
  values: z.record(z.string(), z.unknown()).describe("channel → value, written through the channel reducers"),
  asNode: z.string().max(200).optional().describe("write as this node: its routes pick the next tasks"),
  checkpointId: id.optional().describe("edit this checkpoint instead of the latest (of `namespace` when given): a fork inside the thread"),
  namespace: namespace.optional().describe("edit this child run through its graph's reducers (its checkpoint namespace or a node path); resuming the thread continues the child from the edit"),
});

export const ForkBody = z.object({
  checkpointId: id,
  thread: id.optional().describe("id of the new thread (default: a new id); not with `namespace`"),
  namespace: namespace.optional().describe("`checkpointId` is a checkpoint of this child run: the thread itself gets a new head that re-runs the child from there (resume the thread to continue); the response has `subgraphs` and `travel`"),
});
export const StateQuery = z.object({ checkpoint: id.optional().describe("a checkpoint id (of `namespace` when given)"), namespace: namespace.optional().describe("read this child run instead of the root graph"), subgraphs: subgraphsFlag });
export const ThreadsQuery = z.object({
  file: relPath.optional().describe("only threads of this workspace file (their checkpoints' `origin`)"),
  graph: z.string().min(1).max(200).optional().describe("only threads of this graph"),
  thread: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[^\u0000]+$/, "no NUL character (a Postgres store cannot hold one)")
    .optional()
    .describe("only this thread (read alone: the studio follows a running thread with it)"),
});
export const HistoryQuery = z.object({ namespace: namespace.optional().describe("list this child run's checkpoints instead of the root graph's") });
export const ReviewQuery = z.object({ file: relPath });
export const ApproveBody = z.object({
  file: relPath,
  graph: z.string().max(200).optional(),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/).describe("the hash the reviewer saw (`GET /api/review`): only a graph of `file` that still compiles to it is approved, else 409 `hash_mismatch`"),
  by: z.string().max(200).optional(),
  note: z.string().max(2000).optional(),
});
export const ReplBody = z.object({ source: z.string().max(MAX_SOURCE_CHARS).describe("one `.ragsh` cell") });
export const EventsQuery = z.object({ lastEventId: z.string().regex(/^\d+$/).optional().describe("resume after this event id (as the `Last-Event-ID` header)") });

const Span = z.object({ start: z.object({ line: z.number(), column: z.number(), offset: z.number() }), end: z.object({ line: z.number(), column: z.number(), offset: z.number() }) });
export const DiagnosticJson = z.object({
  severity: z.enum(["error", "warning", "info"]),
  code: z.string(),
  message: z.string(),
  file: z.string().nullable(),
  span: Span,
  label: z.string().optional(),
  help: z.string().optional(),
  fixes: z.array(z.object({ span: Span, replacement: z.string(), description: z.string() })),
});
export const CheckResponse = z.object({ diagnostics: z.array(DiagnosticJson), graphs: z.array(z.string()), rendered: z.string(), ms: z.number() });
export const RunSummary = z.object({
  runId: z.string(),
  threadId: z.string(),
  graph: z.string(),
  file: z.string(),
  status: z.enum(["queued", "running", "completed", "interrupted", "failed", "cancelled"]),
  startedAt: z.number(),
  events: z.number(),
  error: z.record(z.string(), z.unknown()).optional(),
});
export const ErrorResponse = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
