/**
 * `ragraph/scale`: the scale-out stage (issue 13) for programs that embed ragraph — the
 * Postgres checkpointer many processes share (`PostgresCheckpointer`, a `Checkpointer`
 * like `SqliteCheckpointer`), the run queue on Redis/BullMQ (`QueueRunSubmitter` enqueues
 * runs and resumes and reads their events; `RunWorker` runs them, as `rag worker` does),
 * and their errors and URL parsers. A separate entry so that `import … from "ragraph"`
 * never loads `pg`, `bullmq` or `ioredis`: only a program that imports this one does.
 * docs/deploy.md describes what each service stores and how to run them.
 */
import "./stdlib/node-sha256.js";

export { PostgresCheckpointer, parsePostgresUrl, isPostgresUrl, type PostgresCheckpointerOptions } from "./scale/index.js";
export { QueueRunSubmitter, type QueueRunSubmitterOptions, RunWorker, type RunWorkerOptions } from "./scale/index.js";
export type { RunSubmitter, SubmitRun, SubmitResume, RunHandle, RunOutcome } from "./scale/index.js";
export { parseQueueUrl, isRedisUrl, type QueueUrl, type RedisConnection } from "./scale/index.js";
export { type QueuedRunStatus, type QueuedRunSummary, type LoggedEvent } from "./scale/index.js";
export { StaleResumeError, ThreadBusyError, UnknownBlueprintError, UntrustedJobError, ScaleConfigError, QueueUnavailableError } from "./scale/index.js";
export type { QueueSecretSource } from "./scale/index.js";
