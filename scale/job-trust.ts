/**
 * Job verification for `RunWorker` (split out of `worker.ts`): a queue job is acted on only
 * when a legitimate submitter made it — its signature checks out under the deployment's
 * queue secret (`openJob`, `job-signature.ts`), it is signed for its own BullMQ job id (a
 * signed payload re-added under another id is refused), and its data has the strict shape
 * of its kind. Anything else is refused with `UntrustedJobError` (`untrusted_job`).
 * (Replays of a run that already ended are refused by the worker with `claimQueueRun`.)
 */
import type { Job } from "bullmq";
import { UntrustedJobError } from "./errors.js";
import { openJob } from "./job-signature.js";
import { QueueJobData } from "./run-jobs.js";
import { BranchJobData, branchJobId } from "./branch-queue.js";

/**
 * The job's data, when a legitimate submitter made it: its signature checks out under
 * `secret` (`openJob`), its id is its run id (a signed payload re-added under another id
 * is refused), and it has the shape of a run or resume job (strict: no other key).
 *
 * @param job the BullMQ job as read from Redis (untrusted).
 * @param secret the queue secret (`PostgresCheckpointer.queueSecret`).
 * @throws UntrustedJobError otherwise.
 */
export function trustedRunJob(job: Job, secret: Uint8Array): QueueJobData {
  const parsed = QueueJobData.safeParse(openJob(secret, "run", job.data, job.id));
  if (!parsed.success) throw new UntrustedJobError(`refused: job ${job.id} is not a ragraph run job: ${parsed.error.issues[0]?.message ?? "bad data"}`, job.id);
  if (parsed.data.runId !== job.id) throw new UntrustedJobError(`refused: job ${job.id} carries the signed data of run ${parsed.data.runId} (a job is signed for its own id)`, job.id);
  return parsed.data;
}

/**
 * A branch job's data (`distribute: branches`), when a legitimate submitter made it: signed
 * for the `branch` purpose under `secret`, of the strict branch-job shape, and carried by
 * the job id it was signed for (`branchJobId`).
 *
 * @param job the BullMQ job as read from Redis (untrusted).
 * @param secret the queue secret (`PostgresCheckpointer.queueSecret`).
 * @throws UntrustedJobError otherwise.
 */
export function trustedBranchJob(job: Job, secret: Uint8Array): BranchJobData {
  const parsed = BranchJobData.safeParse(openJob(secret, "branch", job.data, job.id));
  if (!parsed.success) throw new UntrustedJobError(`refused: job ${job.id} is not a ragraph branch job: ${parsed.error.issues[0]?.message ?? "bad data"}`, job.id);
  if (branchJobId(parsed.data) !== job.id) throw new UntrustedJobError(`refused: job ${job.id} carries the signed data of branch job ${branchJobId(parsed.data)} (a job is signed for its own id)`, job.id);
  return parsed.data;
}
