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
 * **Sealed, then signed.** Redis readers are not trusted either, and a job carries the
 * `.rag` source, the run's input and a resume's answers (secrets, personal data). So
 * `payload` is not the JSON text itself but that text encrypted with AES-256-GCM
 * (`sealJson`) under a key derived from the same secret (HKDF-SHA256, RFC 5869, with its
 * own label, so the MAC key and the encryption key differ); the MAC covers the sealed text
 * (encrypt-then-MAC), and the GCM tag is checked again when it is opened (a payload
 * whose MAC was somehow made to match still fails as altered).
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
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
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

/** What a sealed payload starts with (the format's version). */
const SEALED = "gcm1.";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Characters of a text of `bytes` bytes sealed (`sealJson`): its IV and tag added, in base64, after the format's prefix. */
export const sealedLength = (bytes: number): number => SEALED.length + Math.ceil((bytes + IV_BYTES + TAG_BYTES) / 3) * 4;
/** Characters of a sealed payload at most: `MAX_JOB_PAYLOAD` bytes of JSON, sealed. */
const MAX_SEALED = sealedLength(MAX_JOB_PAYLOAD);

/** The data of a signed job, as BullMQ stores it (`payload`: the sealed JSON text, `sealJson`). */
const Envelope = z.strictObject({ payload: z.string().max(MAX_SEALED), sig: z.string().regex(/^[0-9a-f]{64}$/) });
export type JobEnvelope = z.infer<typeof Envelope>;

function mac(secret: Uint8Array, purpose: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(`ragraph-queue-job-v2\0${purpose}\0`).update(payload).digest();
}

/** Encryption keys derived from queue secrets (the store caches its secret's bytes, so one derivation per process), as key objects (imported once, not at each seal). */
const derived = new WeakMap<Uint8Array, KeyObject>();

/**
 * The AES-256 key of the queue's payloads: HKDF-SHA256 (RFC 5869) of the queue secret with
 * its own label, so the encryption key and the MAC key are never the same bytes.
 */
function sealKey(secret: Uint8Array): KeyObject {
  let key = derived.get(secret);
  if (!key) derived.set(secret, (key = createSecretKey(Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "ragraph-queue-payload-aes256gcm-v1", 32)))));
  return key;
}

/** Random bytes drawn in bulk for IVs (one `randomBytes` call per 1,024 seals: run events are sealed one by one). */
let ivPool = Buffer.alloc(0);
let ivAt = 0;
function freshIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * 1024);
    ivAt = 0;
  }
  // A copy: the pool's bytes are never handed out twice.
  return Buffer.from(ivPool.subarray(ivAt, (ivAt += IV_BYTES)));
}

/**
 * `text` encrypted with AES-256-GCM under a key derived from the queue secret (`sealKey`): a
 * fresh 96-bit random IV per message (NIST SP 800-38D §8.2.2; drawn from a pool refilled
 * by `randomBytes`), `purpose` bound as
 * additional data (a payload sealed for one use opens for no other). Returns
 * `gcm1.` + base64(IV ‖ ciphertext ‖ 16-byte tag): what Redis holds reveals its length only.
 *
 * @param purpose a label of the use (`run`, `branch`, `reply`…): `openSealed` needs the same.
 */
export function sealJson(secret: Uint8Array, purpose: string, text: string): string {
  const iv = freshIv();
  const cipher = createCipheriv("aes-256-gcm", sealKey(secret), iv);
  cipher.setAAD(Buffer.from(`ragraph-queue-seal-v1\0${purpose}`));
  const body = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return SEALED + Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
}

/**
 * The text `sealJson` sealed, or undefined when `sealed` is not a sealed text (or longer
 * than `maxChars`, default a sealed `MAX_JOB_PAYLOAD`), was sealed with another secret or
 * purpose, or was altered (the GCM tag does not check out). Never throws.
 */
export function openSealed(secret: Uint8Array, purpose: string, sealed: unknown, maxChars = MAX_SEALED): string | undefined {
  if (typeof sealed !== "string" || !sealed.startsWith(SEALED) || sealed.length > maxChars) return undefined;
  const raw = Buffer.from(sealed.slice(SEALED.length), "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealKey(secret), raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`ragraph-queue-seal-v1\0${purpose}`));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

/**
 * Seals and signs `data` for the queue: `{ payload: JSON text of data sealed with
 * AES-256-GCM (`sealJson`), sig: hex HMAC-SHA256 of that sealed text }` (encrypt, then MAC).
 * A Redis reader sees neither the source, the input nor the answers a job carries.
 *
 * @param secret the deployment's queue secret (`QueueSecretSource`).
 * @param purpose `run` or `branch`: a payload signed for one queue is refused on the other.
 */
export function signJob(secret: Uint8Array, purpose: JobPurpose, data: unknown): JobEnvelope {
  const payload = sealJson(secret, purpose, JSON.stringify(data));
  return { payload, sig: mac(secret, purpose, payload).toString("hex") };
}

/**
 * The payload of a job envelope whose MAC checks out, decrypted (its GCM tag checked too),
 * parsed as untrusted JSON
 * (`parseUntrustedJson`: null-prototype objects, no `__proto__`/`constructor`/`prototype`
 * key); the caller validates it with its strict schema.
 *
 * @param raw the job's data as read from Redis (anything).
 * @throws UntrustedJobError (`untrusted_job`) for data that is not an envelope (an
 *   unsigned job), a MAC that does not match (forged, altered, or signed with another
 *   deployment's secret), a payload that does not decrypt, or one that is not JSON.
 */
export function openJob(secret: Uint8Array, purpose: JobPurpose, raw: unknown, jobId: string | undefined): unknown {
  const env = Envelope.safeParse(raw);
  if (!env.success) throw new UntrustedJobError(`refused: ${purpose} job ${jobId ?? "?"} is not signed (no \`payload\`/\`sig\` envelope): only a submitter holding this deployment's queue secret makes jobs workers run`, jobId);
  const expected = mac(secret, purpose, env.data.payload);
  const given = Buffer.from(env.data.sig, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UntrustedJobError(`refused: ${purpose} job ${jobId ?? "?"} has a signature that does not match its data (forged or altered in the queue, or signed for another Postgres schema)`, jobId);
  }
  const text = openSealed(secret, purpose, env.data.payload);
  if (text === undefined) throw new UntrustedJobError(`refused: ${purpose} job ${jobId ?? "?"} carries a payload that does not decrypt under this deployment's queue key (not sealed, or altered)`, jobId);
  try {
    return parseUntrustedJson(text);
  } catch (e) {
    throw new UntrustedJobError(`refused: ${purpose} job ${jobId ?? "?"} carries a payload that is not safe JSON: ${(e as Error).message}`, jobId);
  }
}
