/**
 * `.rag` sources the checkpointer and scale benchmarks (and the Postgres round-trip test)
 * run: a chain of `n` no-op nodes, and a fan-out of one `set` branch per input item into
 * an `append` list, reduced once.
 */

/** `graph seq`: `n` nodes n0 → n1 → … → END, each a no-op `set`. */
export function chainSource(n: number): string {
  return `graph seq { start n0 ${Array.from({ length: n }, (_, i) => `node n${i} { kind set ${i < n - 1 ? `next n${i + 1}` : "next END"} }`).join("\n")} }`;
}

/** `graph fan`: a `send` per `input.items` element appending to `out`, joined by `reduce` (`total` = how many). */
export const FANOUT_SOURCE = `graph fan {
  start split
  input { items: list<number> }
  state { out: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items] join reduce }
  node w { kind set set { out: args.n } }
  node reduce { kind set set { total: len(state.out) } next END }
}`;
