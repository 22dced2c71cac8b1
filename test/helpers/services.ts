/**
 * The real Postgres and Redis of the machine (issue 13 §4): tests that need them call
 * `services()` at the top of the file and skip with a printed reason when one is not
 * reachable — except under `CI=true`, where a missing service fails the run.
 * `RAG_TEST_POSTGRES` / `RAG_TEST_REDIS` override the default loopback URLs.
 */
import { connect } from "node:net";

export const PG_URL = process.env.RAG_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.RAG_TEST_REDIS ?? "redis://127.0.0.1:6379";

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/**
 * Checks the services a test file needs. Returns `undefined` when all are up, else the
 * reason to skip (printed once).
 *
 * @throws Error under `CI=true` when a service is missing.
 */
export async function missingServices(needs: readonly ("postgres" | "redis")[]): Promise<string | undefined> {
  const missing: string[] = [];
  if (needs.includes("postgres") && !(await reachable(PG_URL, 5432))) missing.push(`Postgres at ${PG_URL}`);
  if (needs.includes("redis") && !(await reachable(REDIS_URL, 6379))) missing.push(`Redis at ${REDIS_URL}`);
  if (!missing.length) return undefined;
  const reason = `skipped: ${missing.join(" and ")} not reachable (start them as docs/deploy.md says)`;
  if (process.env.CI === "true") throw new Error(`CI=true and ${reason.replace("skipped: ", "")}`);
  console.warn(reason);
  return reason;
}

/** A schema / key prefix name unique to this test process and call. */
let n = 0;
export function uniqueName(base: string): string {
  return `${base}_${process.pid}_${Date.now().toString(36)}_${++n}`;
}

/** Drops a test's Postgres schema (and everything in it) from the database at `PG_URL`. */
export async function dropTestSchema(schema: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under a test's `prefix` (`prefix:*`) at `REDIS_URL`. */
export async function deleteTestKeys(prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
