/**
 * A run's budget account in Postgres (`SpendGate`, `registry/spend-gate.ts`): the one
 * account every process of a distributed run charges — the worker running the run and
 * the workers running its branches (`distribute: branches`). A row per run
 * (`<schema>.run_spend`, scope `run`) and per node of it (scope `node:<name>`) holds
 * what was spent plus the reservations of calls in flight; it starts from what the thread
 * had spent when the run began (the first process to claim makes it: the run's own, or
 * a branch's when the run made no call before its fan-out).
 *
 * A claim is one transaction: the run's row, then the node's, made or locked with an
 * upsert (`… ON CONFLICT DO UPDATE … RETURNING`: the row is locked and read in one
 * statement), checked against the limits, then both raised. Every claim locks the run's
 * row first, so claims of one run are serialised there and never deadlock. After the
 * conditional `UPDATE … WHERE spent + est <= limit` of an account ledger; the check is
 * made in the process holding the row locks. A worker that dies mid-call leaves its
 * reservation counted (fails closed).
 *
 * A settle is one statement, idempotent by the call's key: it locks the run's row
 * (first, as a claim does), inserts a marker row (scope `settled:<key>`, counts 0) unless
 * one is there, and only when it inserted one moves both rows from the reservation to what
 * was spent. A settle retried after an error — a connection lost after the store committed
 * it — finds the marker and changes nothing (before, a settle was two statements, and a
 * retry after the first counted the call twice). Markers go with the node rows when the
 * account is closed; a settle of a closed account changes nothing (it reads as unlimited).
 */
import type { GateLimit, GateLimits, GateRefusal, Spend, SpendGate } from "../registry/index.js";
import type { PgStoreContext } from "./pg-store-context.js";

const RUN = "run";
const nodeScope = (node: string) => `node:${node}`;
/** The marker row of a settle applied (`SpendGate.settle`'s key). */
const settledScope = (key: string) => `settled:${key}`;

/** True when `limit` is passed by `tokens`/`usd`. */
function passes(limit: GateLimit, tokens: number, usd: number): boolean {
  return (limit.tokens !== undefined && tokens > limit.tokens) || (limit.usd !== undefined && usd > limit.usd);
}

export class PgSpendGate implements SpendGate {
  /**
   * @param ctx the checkpointer's store (pool, schema).
   * @param runId the root run (the queue run id) whose account this is.
   * @param base what the thread had spent when the run began: the account's start when this process makes it.
   */
  constructor(
    private readonly ctx: PgStoreContext,
    private readonly runId: string,
    private readonly base: Spend,
  ) {}

  /** @throws CheckpointError when the store fails (nothing reserved). */
  claim(node: string, tokens: number, usd: number, limits: GateLimits): Promise<GateRefusal | undefined> {
    const { pool, q } = this.ctx;
    const start = this.base.nodes && Object.hasOwn(this.base.nodes, node) ? this.base.nodes[node]! : { tokens: 0, usd: 0 };
    const upsert = `INSERT INTO ${q}.run_spend (run_id, scope, tokens, usd, updated_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (run_id, scope) DO UPDATE SET updated_at = EXCLUDED.updated_at RETURNING tokens, usd`;
    return this.ctx.guard("claiming a budget reservation", async () => {
      const client = await pool.connect();
      let open = false;
      try {
        await client.query("BEGIN");
        open = true;
        const now = Date.now();
        const scopes = [[RUN, this.base.tokens, this.base.usd, limits.run, "run"], [nodeScope(node), start.tokens, start.usd, limits.node, "node"]] as const;
        for (const [scope, t, u, limit, name] of scopes) {
          const { rows } = await client.query<{ tokens: number; usd: number }>(upsert, [this.runId, scope, t, u, now]);
          const row = rows[0]!;
          const after = { tokens: Number(row.tokens) + tokens, usd: Number(row.usd) + usd };
          // An account that reads as unlimited spend (closed: its run ended) refuses every call, limited or not.
          if (!Number.isFinite(after.tokens) || !Number.isFinite(after.usd) || passes(limit, after.tokens, after.usd)) {
            await client.query("ROLLBACK");
            open = false;
            return { scope: name, ...after };
          }
        }
        await client.query(`UPDATE ${q}.run_spend SET tokens = tokens + $3, usd = usd + $4 WHERE run_id = $1 AND scope = ANY($2)`, [this.runId, [RUN, nodeScope(node)], tokens, usd]);
        await client.query("COMMIT");
        open = false;
        return undefined;
      } finally {
        if (open) await client.query("ROLLBACK").catch(() => undefined);
        client.release();
      }
    });
  }

  /**
   * Applies a call's settle once per `key` (see the module comment): one statement.
   * @throws CheckpointError when the store fails (applied or not: a retry with the same key is safe).
   */
  async settle(node: string, reserved: { readonly tokens: number; readonly usd: number }, spent: { readonly tokens: number; readonly usd: number }, key: string): Promise<void> {
    const { pool, q } = this.ctx;
    // One statement (one round trip), run in this order because each part waits for the one
    // before it (`EXISTS` on a CTE is evaluated once, before the part using it scans): the
    // run's row locked — first, as a claim locks it, so claims and settles of a run never
    // wait on each other in a cycle — unless it is missing or closed (reads as unlimited:
    // nothing to settle); the marker row inserted unless there; then, only when it was
    // inserted, both rows moved from the reservation to what was spent.
    const sql = `WITH account AS (
        SELECT 1 FROM ${q}.run_spend WHERE run_id = $1 AND scope = '${RUN}' AND tokens <> 'Infinity' FOR UPDATE),
      marked AS (
        INSERT INTO ${q}.run_spend (run_id, scope, tokens, usd, updated_at) SELECT $1, $8, 0, 0, $7 WHERE EXISTS (SELECT 1 FROM account)
        ON CONFLICT (run_id, scope) DO NOTHING RETURNING 1)
      UPDATE ${q}.run_spend SET tokens = tokens - $3 + $4, usd = usd - $5 + $6, updated_at = $7
      WHERE run_id = $1 AND scope = ANY($2) AND EXISTS (SELECT 1 FROM marked)`;
    await this.ctx.guard("settling a budget reservation", () =>
      pool.query(sql, [this.runId, [RUN, nodeScope(node)], reserved.tokens, spent.tokens, reserved.usd, spent.usd, Date.now(), settledScope(key)]),
    );
  }
}

/** How long a closed account is kept (ms): a branch job of the run still queued or retried meanwhile finds it closed. */
const CLOSED_KEPT_MS = 24 * 3600_000;

/**
 * Closes run `runId`'s account (the run ended): its run row reads as unlimited spend, so a
 * branch the run stopped waiting for (a sibling's failure, a `wait first` join, a cancel)
 * is refused at its next call instead of opening a fresh account from its own start; its
 * node rows are removed, and so are accounts closed more than a day ago. A later run of
 * the thread (a resume is a run of its own) starts its own account from the thread's
 * checkpoints.
 * @throws CheckpointError when the store fails.
 */
export async function closeRunSpend(ctx: PgStoreContext, runId: string): Promise<void> {
  const now = Date.now();
  await ctx.guard("closing a run's budget account", async () => {
    // Two statements in one transaction: the run's row closed first (locked, as claims and
    // settles lock it first: no deadlock with a settle holding it), then its node and
    // settle-marker rows and the accounts closed a day ago removed. The removal is a
    // statement of its own so that its snapshot is taken after the close got the lock: as
    // one statement (a CTE) its snapshot predated the wait, and the marker of a settle that
    // committed meanwhile was left behind.
    const client = await ctx.pool.connect();
    let open = false;
    try {
      await client.query("BEGIN");
      open = true;
      await client.query(
        `INSERT INTO ${ctx.q}.run_spend (run_id, scope, tokens, usd, updated_at) VALUES ($1, '${RUN}', 'Infinity', 'Infinity', $2)
         ON CONFLICT (run_id, scope) DO UPDATE SET tokens = 'Infinity', usd = 'Infinity', updated_at = EXCLUDED.updated_at`,
        [runId, now],
      );
      await client.query(
        `DELETE FROM ${ctx.q}.run_spend WHERE (run_id = $1 AND scope <> '${RUN}') OR (scope = '${RUN}' AND run_id <> $1 AND tokens = 'Infinity' AND updated_at < $2)`,
        [runId, now - CLOSED_KEPT_MS],
      );
      await client.query("COMMIT");
      open = false;
    } finally {
      if (open) await client.query("ROLLBACK").catch(() => undefined);
      client.release();
    }
  });
}
