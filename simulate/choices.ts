/**
 * The choice trail of one simulated run, and the enumeration of trails
 * (stateless model checking by re-execution, as in CHESS / VeriSoft: rather than forking
 * runtime state, each path is a fresh run that replays a prefix of choices, then takes
 * the first alternative of every new choice).
 *
 * A *choice* is any point where a real run would depend on someone else: a model's
 * reply, a route function, a human's answer, a tool's result (of a declared shape), a tool or model failing. Each is asked
 * under a `key` (the same question asked again — a task re-run on resume — gets the
 * same answer) at a `site` (where in the graph: one node or agent). A site visited
 * more than `turns` times in one run stops branching and repeats its previous answer:
 * a model that keeps choosing the loop keeps choosing it, so the run either reaches
 * the graph's own bound or its recursion limit — which is how simulate tells a loop the
 * graph bounds from one whose only exit is a choice.
 */

/** Who makes a choice: what a loop through it depends on. */
export type ChoiceBy = "model" | "human" | "router" | "failure" | "input" | "tool";

/** One answered choice of a run. */
export interface ChoiceRecord {
  readonly site: string;
  readonly by: ChoiceBy;
  /** The chosen alternative's label (route label, `tool:refund`, `approve`, `fail`, `variant 2`…). */
  readonly label: string;
  readonly index: number;
  readonly of: number;
  /** True when the site had used its free turns and repeated its previous answer. */
  readonly forced: boolean;
  /** Supersteps of the run when the choice was made (root graph). */
  readonly step: number;
}

export class ChoiceTrail {
  /** Every choice made, in order (memoised re-asks are not repeated). */
  readonly records: ChoiceRecord[] = [];
  private readonly memo = new Map<string, number>();
  private readonly visits = new Map<string, number[]>();
  private pos = 0;
  /** The branchable choices of this run: index and count, in order (for `branchPrefixes`). */
  readonly branchable: { index: number; of: number }[] = [];
  /** Current root superstep, kept up to date by the simulator. */
  step = 0;

  /**
   * @param prefix indices of the first branchable choices (from `branchPrefixes`)
   * @param turns free visits per site before it repeats its previous answer
   * @param failures failures that may still be injected in this run
   */
  constructor(
    private readonly prefix: readonly number[],
    private readonly turns: number,
    public failures: number,
  ) {}

  /**
   * The index of the alternative taken among `labels` (0 when there is one). `key`
   * identifies the question (asked again, answered the same); `site` where it is asked.
   */
  choose(site: string, key: string, by: ChoiceBy, labels: readonly string[]): number {
    const known = this.memo.get(key);
    if (known !== undefined) return Math.min(known, labels.length - 1);
    const seen = this.visits.get(site) ?? [];
    let index = 0;
    let forced = false;
    if (labels.length > 1) {
      if (seen.length >= this.turns) {
        index = Math.min(seen[seen.length - 1], labels.length - 1);
        forced = true;
      } else {
        index = this.pos < this.prefix.length ? Math.min(this.prefix[this.pos], labels.length - 1) : 0;
        this.pos++;
        this.branchable.push({ index, of: labels.length });
      }
    }
    this.memo.set(key, index);
    this.visits.set(site, [...seen, index]);
    this.records.push({ site, by, label: labels[index] ?? "", index, of: labels.length, forced, step: this.step });
    return index;
  }
}

/**
 * The prefixes of the runs that branch off a run whose prefix had `known` choices and
 * whose branchable choices were `taken`: for every new choice (at `known` or later,
 * where the run took the first alternative), each other alternative. Explored first in
 * first out, this visits the tree of runs breadth first — the early choices of a graph
 * (its first routes) get their alternatives tried before the bounds cut exploration.
 */
export function branchPrefixes(taken: readonly { index: number; of: number }[], known: number): number[][] {
  const out: number[][] = [];
  for (let i = known; i < taken.length; i++) {
    const head = taken.slice(0, i).map((t) => t.index);
    for (let alt = 1; alt < taken[i].of; alt++) out.push([...head, alt]);
  }
  return out;
}
