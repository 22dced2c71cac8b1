/**
 * Versioned migrations of the Postgres store (`PostgresCheckpointer`). Each migration
 * runs once, in its own transaction, recorded in `<schema>.migrations`; concurrent
 * processes starting at once serialise on an advisory lock, so exactly one applies each
 * version. A store migrated by a newer ragraph (a version this code does not know) is
 * refused rather than written with an older layout.
 *
 * A process checks a schema once (`migrateOnce`): the first checkpointer of a (database,
 * schema) pays one query when the schema is current (the full migration only when it is
 * not); later ones in the same process pay none.
 */
import type pg from "pg";
import { CheckpointError } from "../runtime/index.js";

export interface Migration {
  readonly version: number;
  readonly description: string;
  /** SQL with `$schema` standing for the quoted schema name. */
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "checkpoints, pending writes and threads",
    sql: `
CREATE TABLE $schema.checkpoints (
  seq BIGSERIAL PRIMARY KEY,
  thread_id TEXT NOT NULL,
  ns TEXT NOT NULL,
  id TEXT NOT NULL,
  parent_id TEXT,
  step INTEGER NOT NULL,
  source TEXT NOT NULL,
  graph TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  checkpoint TEXT NOT NULL,
  metadata TEXT NOT NULL,
  UNIQUE (thread_id, ns, id)
);
CREATE INDEX checkpoints_by_thread ON $schema.checkpoints (thread_id, ns, seq);
CREATE TABLE $schema.writes (
  thread_id TEXT NOT NULL,
  ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  channel TEXT NOT NULL,
  value TEXT,
  PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
);
-- One row per thread: every write transaction locks it (row-level lock), so two
-- writers of one thread never interleave.
CREATE TABLE $schema.threads (
  thread_id TEXT PRIMARY KEY,
  updated_at BIGINT NOT NULL
);`,
  },
  {
    version: 2,
    description: "blueprint sources by hash (workers compile from them)",
    sql: `
CREATE TABLE $schema.sources (
  hash TEXT PRIMARY KEY,
  graph TEXT NOT NULL,
  file TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at BIGINT NOT NULL
);`,
  },
  {
    version: 3,
    description: "channel values by version (blobs; appended lists as deltas); rows of versions 1-2 stay readable",
    sql: `
CREATE TABLE $schema.blobs (
  thread_id TEXT NOT NULL,
  ns TEXT NOT NULL,
  checkpoint_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  base TEXT,
  value TEXT,
  PRIMARY KEY (thread_id, ns, checkpoint_id, channel)
);`,
  },
  {
    version: 4,
    description: "signed queue jobs: the queue secret (one row, made on first use) and the queue runs workers started (a signed job that already ran to its end is not run again)",
    sql: `
CREATE TABLE $schema.queue_secret (
  id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
  secret BYTEA NOT NULL CHECK (octet_length(secret) >= 32),
  created_at BIGINT NOT NULL
);
CREATE TABLE $schema.queue_runs (
  run_id TEXT PRIMARY KEY,
  thread_id TEXT NOT NULL,
  ended BOOLEAN NOT NULL DEFAULT FALSE,
  started_at BIGINT NOT NULL
);`,
  },
  {
    version: 5,
    description: "budget accounts of runs distributed over the pool (one row per run, and per node of it: spend and reservations in flight)",
    sql: `
CREATE TABLE $schema.run_spend (
  run_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  tokens DOUBLE PRECISION NOT NULL,
  usd DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, scope)
);`,
  },
  {
    version: 6,
    description: "queue runs cancelled (final: a job of a cancelled run — run, resume or branch job — is refused, whatever Redis says)",
    sql: `ALTER TABLE $schema.queue_runs ADD COLUMN cancelled BOOLEAN NOT NULL DEFAULT FALSE;`,
  },
];

/** The newest schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Quotes a schema name for SQL; only `[A-Za-z_][A-Za-z0-9_]*` (at most 63 bytes) is accepted. */
export function quoteSchema(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new CheckpointError(`invalid Postgres schema name ${JSON.stringify(name)} (letters, digits and _ only)`);
  return `"${name}"`;
}

/**
 * Brings `schema` up to `SCHEMA_VERSION` (creating it when absent) and returns the
 * version found before.
 *
 * @throws CheckpointError when the store has a newer version than this code knows.
 */
export async function migrate(client: pg.ClientBase, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  const q = quoteSchema(schema);
  await client.query("BEGIN");
  try {
    // One migrator per schema at a time (transaction-scoped advisory lock keyed by the schema name).
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1), 0)", [`ragraph-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${q}.migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${q}.migrations`);
    const found = rows[0]?.v ?? 0;
    const newest = migrations.at(-1)?.version ?? 0;
    if (found > newest) throw new CheckpointError(`Postgres schema ${schema} was migrated by a newer ragraph (version ${found}; this one knows up to ${newest})`);
    for (const m of migrations) {
      if (m.version <= found) continue;
      await client.query(m.sql.replaceAll("$schema", q));
      await client.query(`INSERT INTO ${q}.migrations (version, description) VALUES ($1, $2)`, [m.version, m.description]);
    }
    await client.query("COMMIT");
    return found;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/** Schemas this process has brought up to date (or is bringing), by connection string and schema. */
const migrated = new Map<string, Promise<void>>();

/** Postgres error codes of a table or schema that is not there (the store was dropped or never made). */
const MISSING = new Set(["42P01", "3F000"]);

/**
 * Brings `schema` up to date once per process: the first call for a (connection string,
 * schema) checks the version with one query and migrates only when it is behind (or
 * the schema is missing); later calls share that result. A failure is not remembered
 * (the next call tries again).
 *
 * @param connect a connection to use (released by `done`).
 * @throws CheckpointError when the store has a newer version than this code knows.
 */
export function migrateOnce(connectionString: string, schema: string, connect: () => Promise<{ client: pg.ClientBase; done: () => void }>): Promise<void> {
  const key = `${connectionString}\0${schema}`;
  let p = migrated.get(key);
  if (!p) {
    p = (async () => {
      const { client, done } = await connect();
      try {
        const current = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${quoteSchema(schema)}.migrations`).then(
          (r) => r.rows[0]?.v ?? 0,
          (e: { code?: string }) => {
            if (MISSING.has(String(e.code))) return 0;
            throw e;
          },
        );
        if (current !== SCHEMA_VERSION) await migrate(client, schema);
      } finally {
        done();
      }
    })();
    migrated.set(key, p);
    p.catch(() => migrated.get(key) === p && migrated.delete(key));
  }
  return p;
}

/**
 * Forgets that this process brought `schema` up to date (all schemas when undefined), so
 * the next checkpointer checks again: after the schema was dropped, or changed by
 * another process (tests; `PostgresCheckpointer` calls it when a table is missing).
 */
export function forgetMigrated(schema?: string): void {
  for (const key of [...migrated.keys()]) if (schema === undefined || key.endsWith(`\0${schema}`)) migrated.delete(key);
}

/** True for a Postgres error saying a table or schema of the store is missing. */
export const isMissingRelation = (e: unknown): boolean => MISSING.has(String((e as { code?: string } | null)?.code));
