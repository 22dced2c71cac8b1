/**
 * The ledger of a run that is at once a thread's run and part of an enclosing run: a
 * graph run started from a REPL session (`graph_run({thread})`, a `:resume`) or from a
 * CodeAct script inside a node, which checkpoints as a root thread of its own. Its calls
 * are charged to both ledgers — to `outer` (the session's, or the node's run's) and to
 * `thread` (the run's `SpendBook`, saved with the thread's checkpoints, so that a later
 * run of the thread starts from it) — and checked against the union of the two: what the
 * enclosing ledger counts plus what the thread had spent that the enclosing ledger does
 * not count already. So both bounds hold and each token is counted once.
 *
 * The overlap: runs of the same thread linked into the same enclosing ledger before this
 * one (a session running a thread twice) charged it their spend, and the thread's
 * checkpoints recorded that same spend, which this run's `base` now holds. Such charges are
 * remembered per enclosing ledger and thread (in memory, for as long as that ledger lives)
 * and left out of `base`. Before, the whole base was added: a thread's first run counted
 * twice in the second, and a session was refused early (2 calls under a 3-call budget).
 *
 * What it could not see (it would count twice: refused early, never late): an enclosing
 * ledger rebuilt from a checkpoint, holding a linked thread's spend that the thread's own
 * checkpoints hold too. No path makes one: the enclosing ledgers rebuilt from a checkpoint
 * are a node's run's (a CodeAct script's), and a CodeAct session's graph runs checkpoint
 * to a store of its own, in memory (`repl/codeact.ts`), so a resumed node's script finds
 * no earlier run of its threads (`test/security/codeact-budget-resume.test.ts`).
 */
import { JointLedger, type Spend, type SpendBook, type SpendLedger } from "./spend.js";

interface Totals {
  tokens: number;
  usd: number;
}

/** What linked runs of a thread charged an enclosing ledger: totals and per node. */
interface Charged {
  readonly total: Totals;
  readonly nodes: Map<string, Totals>;
}

/** Spend charged to each enclosing ledger by linked runs, by thread. */
const linked = new WeakMap<SpendLedger, Map<string, Charged>>();

const minus = (a: Totals, b: Totals | undefined): Totals => ({ tokens: Math.max(0, a.tokens - (b?.tokens ?? 0)), usd: Math.max(0, a.usd - (b?.usd ?? 0)) });

/** The charges linked runs of `threadId` made to `outer` so far (created empty). */
function chargedTo(outer: SpendLedger, threadId: string): Charged {
  let byThread = linked.get(outer);
  if (!byThread) linked.set(outer, (byThread = new Map()));
  let charged = byThread.get(threadId);
  if (!charged) byThread.set(threadId, (charged = { total: { tokens: 0, usd: 0 }, nodes: new Map() }));
  return charged;
}

/** What the thread had spent that the enclosing ledger does not count: `base` less the earlier linked runs' charges (never below 0). */
function uncounted(base: Spend, charged: Charged): Spend {
  const nodes = Object.create(null) as Record<string, Totals>;
  for (const [name, n] of Object.entries(base.nodes ?? {})) nodes[name] = minus(n, charged.nodes.get(name));
  return { ...minus(base, charged.total), nodes };
}

/** A `JointLedger` whose base leaves out what earlier linked runs of the thread charged the same enclosing ledger, and that remembers its own charges for the next. */
export class LinkedLedger extends JointLedger {
  private readonly charged: Charged;

  /**
   * @param thread the run's own ledger (started from `base`, saved with the thread's checkpoints).
   * @param base what the thread had spent when the run started (its checkpoint's `spentAt`).
   * @param outer the enclosing ledger (a session's, a node's run's).
   * @param threadId the run's thread.
   */
  constructor(thread: SpendBook, base: Spend, outer: SpendLedger, threadId: string) {
    const charged = chargedTo(outer, threadId);
    super(thread, uncounted(base, charged), outer);
    this.charged = charged;
  }

  override settle(node: string, reserved: { readonly tokens: number; readonly usd: number }, spent: { readonly tokens: number; readonly usd: number }): void {
    super.settle(node, reserved, spent);
    // As the ledgers charge it: a figure that is not a count at its reservation.
    const ok = (x: number) => typeof x === "number" && x >= 0;
    this.remember(node, { tokens: ok(spent.tokens) ? spent.tokens : reserved.tokens, usd: ok(spent.usd) ? spent.usd : reserved.usd });
  }

  override add(spent: Spend, recorded: boolean): void {
    super.add(spent, recorded);
    this.charged.total.tokens += spent.tokens;
    this.charged.total.usd += spent.usd;
    for (const [name, n] of Object.entries(spent.nodes ?? {})) this.remember(name, n, false);
  }

  /** Records a charge both ledgers now hold (in total and for `node`). */
  private remember(node: string, t: Totals, total = true): void {
    if (total) {
      this.charged.total.tokens += t.tokens;
      this.charged.total.usd += t.usd;
    }
    const n = this.charged.nodes.get(node);
    if (n) (n.tokens += t.tokens), (n.usd += t.usd);
    else this.charged.nodes.set(node, { tokens: t.tokens, usd: t.usd });
  }
}
