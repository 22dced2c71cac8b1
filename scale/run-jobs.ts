/**
 * The data of a BullMQ run job (issue 13 §2): what `QueueRunSubmitter.submit` enqueues
 * and `RunWorker` accepts. It travels signed (`job-signature.ts`: the worker refuses a job
 * whose MAC does not check out before reading it), and the worker then validates it with
 * these strict schemas (no key the submitter does not send; null-prototype objects for
 * the user's values, `parseUntrustedJson`).
 */
import { z } from "zod";

const id = z.string().min(1).max(256);
const record = z.record(z.string(), z.unknown());

export const RunJobData = z.strictObject({
  kind: z.literal("run"),
  runId: id,
  threadId: id,
  /** Blueprint hash the submitter compiled (`sha256:…`); the worker refuses a source that compiles to another. */
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  graph: z.string().min(1).max(200),
  file: z.string().min(1).max(4096),
  source: z.string().max(2_000_000),
  input: record,
  metadata: record.optional(),
});

/**
 * A queued resume's command: answers and steering, what `rag resume --queue` and `rag serve
 * --queue` send — never `update` (a state edit is `updateState`, not a queued job).
 */
export const QueuedResumeCommand = z.strictObject({ value: z.unknown().optional(), values: record.optional(), steering: z.string().max(1024 * 1024).optional() });

export const ResumeJobData = z.strictObject({
  kind: z.literal("resume"),
  runId: id,
  threadId: id,
  command: QueuedResumeCommand,
  /** The thread's latest checkpoint the command was answered against (required); the worker refuses the job (`stale_resume`) once the thread has moved on. */
  checkpointId: id,
  metadata: record.optional(),
});

export const QueueJobData = z.discriminatedUnion("kind", [RunJobData, ResumeJobData]);
export type QueueJobData = z.infer<typeof QueueJobData>;
