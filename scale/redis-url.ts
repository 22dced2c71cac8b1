/**
 * `redis://[user:password@]host[:port][/db][?queue=NAME&prefix=PREFIX]` — the queue URL
 * of `rag worker`, `rag run --queue`, `rag resume --queue` and `rag serve --queue`
 * (issue 13 §2). `rediss://` connects with TLS. `queue` (default `rag-runs`) names the
 * BullMQ queue, `prefix` (default `rag`) the key prefix of every key ragraph and BullMQ
 * write: several deployments (or tests) share one Redis under different prefixes.
 */
import { ScaleConfigError } from "./errors.js";

/** Connection settings understood by both ioredis and BullMQ. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly db?: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: Record<string, never>;
  readonly maxRetriesPerRequest: null;
}

export interface QueueUrl {
  /** ioredis options (BullMQ's `connection`); `maxRetriesPerRequest: null` as BullMQ workers require. */
  readonly connection: RedisConnection;
  /** BullMQ queue name. */
  readonly queue: string;
  /** Key prefix (BullMQ's `prefix`; ragraph's own keys start with it too). */
  readonly prefix: string;
  /** The URL without its password, for messages. */
  readonly shown: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** True when `url` names a Redis queue. */
export const isRedisUrl = (url: string): boolean => /^rediss?:\/\//i.test(url);

/**
 * Parses a queue URL (see the module docs).
 * @throws ScaleConfigError naming what is wrong (scheme, database number, queue or prefix name).
 */
export function parseQueueUrl(url: string): QueueUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ScaleConfigError(`not a Redis URL: ${url} (expected redis://host:port[/db][?queue=NAME&prefix=PREFIX])`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new ScaleConfigError(`not a Redis URL: ${url} (expected redis://…)`);
  const dbText = u.pathname.replace(/^\//, "");
  if (dbText && !/^\d{1,2}$/.test(dbText)) throw new ScaleConfigError(`Redis database must be a number (redis://host:port/0), not \`${dbText}\``);
  const queue = u.searchParams.get("queue") ?? "rag-runs";
  const prefix = u.searchParams.get("prefix") ?? "rag";
  if (!NAME.test(queue)) throw new ScaleConfigError(`queue name must be 1–100 letters, digits, \`_\`, \`.\` or \`-\`, not \`${queue}\``);
  if (!NAME.test(prefix)) throw new ScaleConfigError(`key prefix must be 1–100 letters, digits, \`_\`, \`.\` or \`-\`, not \`${prefix}\``);
  const connection: RedisConnection = {
    host: u.hostname || "127.0.0.1",
    port: Number(u.port || 6379),
    ...(dbText ? { db: Number(dbText) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
  const shown = url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  return { connection, queue, prefix, shown };
}
