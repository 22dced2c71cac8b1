/**
 * The scale-out stage (issue 13): a Postgres checkpointer shared by many processes, and
 * run queues on Redis (BullMQ) that workers consume. It hosts the runtime; the superstep
 * logic stays in `runtime/`.
 */
export { PostgresCheckpointer, parsePostgresUrl, isPostgresUrl, withoutPassword, type PostgresCheckpointerOptions } from "./postgres-checkpointer.js";
export { MIGRATIONS, SCHEMA_VERSION, migrate, migrateOnce, forgetMigrated, type Migration } from "./pg-migrations.js";
export { StaleResumeError, ThreadBusyError, UnknownBlueprintError, UntrustedJobError, ScaleConfigError, QueueUnavailableError } from "./errors.js";
export { signJob, openJob, MAX_JOB_PAYLOAD, type QueueSecretSource, type JobEnvelope, type JobPurpose } from "./job-signature.js";
export type { RunSubmitter, SubmitRun, SubmitResume, RunHandle, RunOutcome } from "./run-queue.js";
export { parseQueueUrl, isRedisUrl, type QueueUrl, type RedisConnection } from "./redis-url.js";
export { eventStandIn, MAX_EVENT_BYTES, MAX_EVENT_BYTES_PER_RUN } from "./event-bounds.js";
export { RunLog, isEnded, MAX_EVENTS_PER_RUN, RUN_TTL_S, type QueuedRunStatus, type QueuedRunSummary, type LoggedEvent, type RunLogNotice } from "./run-log.js";
export { QueueJobData, QueuedResumeCommand } from "./run-jobs.js";
export { QueueRunSubmitter, type QueueRunSubmitterOptions, type QueueStore } from "./queue-submitter.js";
export { RunWorker, type RunWorkerOptions, type WorkerNotice } from "./worker.js";
export { cancelMessage, type CancelTarget } from "./cancel-signature.js";
export { QueueBranchRunner, BranchJobData, branchJobId, branchQueueName, branchReply, sealBranchReply, openBranchReply, MAX_BRANCH_REPLY_BYTES, type QueueBranchRunnerOptions } from "./branch-queue.js";
