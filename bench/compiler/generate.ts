/**
 * Generates a large, valid `.rag` program for the compiler benchmark: one graph of
 * `nodes` nodes (about 6 lines per node) mixing the node shapes real workflows use —
 * model nodes with templates and `next`, routers with `when`/`else` conditions, `set`
 * nodes, and fan-out `send … join` groups — wired into one long chain so every node is
 * reachable and every path reaches END.
 */

/** Source text of a graph named `name` with `nodes` nodes (≥ 4). */
export function generateGraph(nodes: number, name = "big"): string {
  const out: string[] = [];
  out.push(`graph ${name} {`);
  out.push(`  start n0`);
  out.push(`  input {`, `    topic: string`, `    items: list<string>`, `  }`);
  out.push(`  state {`, `    messages: messages`, `    results: list<string> append`, `    count: number sum`, `    summary: string`, `    verdict: string`, `  }`);
  const next = (i: number) => (i + 1 < nodes ? `n${i + 1}` : "END");
  for (let i = 0; i < nodes; i++) {
    const shape = i % 8;
    const last = i + 1 >= nodes;
    out.push(`  node n${i} {`);
    if (last || shape <= 2) {
      out.push(`    kind model`, `    model "default"`, `    prompt "Step ${i} on {{ input.topic }}: {{ state.summary }}"`, `    writes summary`, `    next ${next(i)}`);
    } else if (shape === 3) {
      out.push(`    kind router`, `    routes {`, `      when len(state.results) > ${i % 50} -> ${next(i)}`, `      else -> ${next(i)}`, `    }`);
    } else if (shape === 4) {
      out.push(`    kind set`, `    set { count: 1, verdict: "step ${i}" }`, `    next ${next(i)}`);
    } else if (shape === 5 && i + 2 < nodes) {
      // fan-out to the next node, joined by the one after it
      out.push(`    kind set`, `    send [n${i + 1} { item: x } for x in input.items]`, `    join n${i + 2}`);
    } else if (shape === 6) {
      // a send target: ends its branch (no route), writes a result
      out.push(`    kind model`, `    model "default"`, `    prompt "Work on {{ args.item }}"`, `    writes results`);
    } else {
      out.push(`    kind model`, `    model "default"`, `    system "You are step ${i}."`, `    prompt "Continue {{ state.verdict }}"`, `    next ${next(i)}`);
    }
    out.push(`  }`);
  }
  out.push(`}`);
  return out.join("\n") + "\n";
}
