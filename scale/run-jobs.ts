/**
 * The data of a BullMQ run job (issue 13 §2): what `QueueRunSubmitter.submit` enqueues
 * and `RunWorker` accepts. Job data comes from Redis, so the worker validates it with
 * these schemas before use (null-prototype objects for the user's values).
 */
import { z } from "zod";

const id = z.string().min(1).max(256);
const record = z.record(z.string(), z.unknown());

export const RunJobData = z.object({
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

export const ResumeJobData = z.object({
  kind: z.literal("resume"),
  runId: id,
  threadId: id,
  command: z.object({ value: z.unknown().optional(), values: record.optional(), steering: z.string().optional() }).passthrough(),
  /** The thread's latest checkpoint the command was answered against; the worker refuses the job (`stale_resume`) once the thread has moved on. */
  checkpointId: id.optional(),
  metadata: record.optional(),
});

export const QueueJobData = z.discriminatedUnion("kind", [RunJobData, ResumeJobData]);
export type QueueJobData = z.infer<typeof QueueJobData>;
