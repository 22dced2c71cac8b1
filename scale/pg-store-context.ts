/**
 * What the helper stores of `PostgresCheckpointer` (`pg-branches.ts`, `pg-queue-store.ts`)
 * share with it: its pool, quoted schema, error naming and `guard` (schema migrated first;
 * failures wrapped as `CheckpointError` naming the store).
 */
import type pg from "pg";

export interface PgStoreContext {
  /** The checkpointer's connection pool. */
  readonly pool: pg.Pool;
  /** The quoted schema name (`quoteSchema`). */
  readonly q: string;
  /** How errors name the store: `Postgres checkpoints URL (schema S)`. */
  readonly where: string;
  /** Resolves once the schema is migrated (rejects as the migration did). */
  ready(): Promise<void>;
  /** Runs `f` once the schema is migrated; its failure becomes a `CheckpointError` saying `what` failed. */
  guard<T>(what: string, f: () => Promise<T>): Promise<T>;
}
