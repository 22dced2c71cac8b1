/**
 * Signed queue jobs (red team 10): a worker acts only on jobs a legitimate submitter made.
 *
 * Redis is a channel every peer of the pool can write to, often with weaker access control
 * than the database. Before, a worker ran whatever job data it found there, checked for
 * shape only: a forged `resume` job approved a paused `refund` with `amount: 1000000`, and
 * a forged `run` job compiled attacker source as the human author's and ran it. Now every
 * job (runs, resumes, and the branch jobs of `distribute: branches`) travels as an
 * envelope `{ payload, sig }`: `payload` is the job data as JSON text and `sig` the
 * HMAC-SHA256 (RFC 2104) of a purpose label and that text, keyed by the deployment's queue
 * secret. The worker checks the MAC (`timingSafeEqual`) before it parses the payload or
 * touches any store, and refuses anything else (`UntrustedJobError`, `untrusted_job`: the
 * job fails for good, nothing runs).
 *
 * **Where the key lives.** Submitters and workers already share the Postgres checkpoint
 * store (`--queue` requires `--checkpoints postgres://…`), so the key is there: 32 random
 * bytes in `<schema>.queue_secret` (migration 4), made by whichever process needs it
 * first (`INSERT … ON CONFLICT DO NOTHING`, then read back — `PostgresCheckpointer.queueSecret`).
 * No configuration, and nothing of it ever travels through Redis. Whoever can read the
 * store can sign jobs — but whoever can write it can already rewrite checkpoints and
 * sources, so the trust boundary does not move. Rotating: delete the row and restart the
 * workers and servers of the schema (each caches the key for its lifetime).
 *
 * **Why a MAC over the exact text** rather than a MAC over a canonical form of the data, or
 * a request stored in Postgres that the job names by id: the bytes checked are the bytes
 * parsed (no canonicalisation to get wrong between two encoders), the worker keeps its
 * one-read-per-job path, and the job still carries its source and input. The job id is
 * bound too: a run job's id must be its `runId`, a branch job's its `branchJobId`, so a
 * signed payload cannot be re-added under another id. A signed job re-added under its own
 * id once BullMQ removed it (a Redis peer can remove it at once) is refused by the worker
 * when its run already ended (`PostgresCheckpointer.claimQueueRun`), and a resume that
 * did not end is still tied to its checkpoint (`stale_resume`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { parseUntrustedJson } from "../runtime/index.js";
import { UntrustedJobError } from "./errors.js";

/** Where the key that signs queue jobs comes from (`PostgresCheckpointer.queueSecret`). */
export interface QueueSecretSource {
  /** The deployment's queue secret (at least 32 bytes). @throws CheckpointError when the store cannot be reached. */
  queueSecret(): Promise<Uint8Array>;
}

/** What a signed job is: `run` (runs and resumes, one queue) or `branch` (`<queue>-branches`). */
export type JobPurpose = "run" | "branch";

/** Bytes of a job's payload text at most (its `.rag` source is at most 2,000,000 characters). */
export const MAX_JOB_PAYLOAD = 8 * 1024 * 1024;

/** The data of a signed job, as BullMQ stores it. */
const Envelope = z.strictObject({ payload: z.string().max(MAX_JOB_PAYLOAD), sig: z.string().regex(/^[0-9a-f]{64}$/) });
export type JobEnvelope = z.infer<typeof Envelope>;

function mac(secret: Uint8Array, purpose: JobPurpose, payload: string): Buffer {
  return createHmac("sha256", secret).update(`ragraph-queue-job-v1\0${purpose}\0`).update(payload).digest();
}

/**
 * Signs `data` for the queue: `{ payload: JSON text of data, sig: hex HMAC-SHA256 }`.
 *
 * @param secret the deployment's queue secret (`QueueSecretSource`).
 * @param purpose `run` or `branch`: a payload signed for one queue is refused on the other.
 */
export function signJob(secret: Uint8Array, purpose: JobPurpose, data: unknown): JobEnvelope {
  const payload = JSON.stringify(data);
  return { payload, sig: mac(secret, purpose, payload).toString("hex") };
}

/**
 * The payload of a job envelope whose MAC checks out, parsed as untrusted JSON
 * (`parseUntrustedJson`: null-prototype objects, no `__proto__`/`constructor`/`prototype`
 * key); the caller validates it with its strict schema.
 *
 * @param raw the job's data as read from Redis (anything).
 * @throws UntrustedJobError (`untrusted_job`) for data that is not an envelope (an
 *   unsigned job), a MAC that does not match (forged, altered, or signed with another
 *   deployment's secret), or a payload that is not JSON.
 */
export function openJob(secret: Uint8Array, purpose: JobPurpose, raw: unknown, jobId: string | undefined): unknown {
  const env = Envelope.safeParse(raw);
  if (!env.success) throw new UntrustedJobError(`refused: ${purpose} job ${jobId ?? "?"} is not signed (no \`payload\`/\`sig\` envelope): only a submitter holding this deployment's queue secret makes jobs workers run`, jobId);
  const expected = mac(secret, purpose, env.data.payload);
  const given = Buffer.from(env.data.sig, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UntrustedJobError(`refused: ${purpose} job ${jobId ?? "?"} has a signature that does not match its data (forged or altered in the queue, or signed for another Postgres schema)`, jobId);
  }
  try {
    return parseUntrustedJson(env.data.payload);
  } catch (e) {
    throw new UntrustedJobError(`refused: ${purpose} job ${jobId ?? "?"} carries a payload that is not safe JSON: ${(e as Error).message}`, jobId);
  }
}

/**
 * The payload of an envelope read WITHOUT checking its MAC, or undefined: only for
 * reporting the end of a job that never ran (its run id, to close its run log entry).
 */
export function unverifiedPayload(raw: unknown): unknown {
  const env = Envelope.safeParse(raw);
  if (!env.success) return undefined;
  try {
    return parseUntrustedJson(env.data.payload);
  } catch {
    return undefined;
  }
}
