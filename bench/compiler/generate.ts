/**
 * Generates a large, valid `.rag` program for the compiler benchmark: one graph of
 * `nodes` nodes (about 6 lines per node) mixing the node shapes real workflows
 * use — model and agent nodes with templates and `next`, routers with `when`/`else`
 * conditions, `set` nodes, fan-out `send … join` groups, and a side chain wired with
 * top-level edges — so every node is reachable, every path reaches END, and the file
 * compiles without a diagnostic. 10,000 nodes give about 60k lines in under 1 MiB.
 */

/** Source text of a graph named `name` with `nodes` nodes (≥ 100), the last `nodes / 50` of them a chain of top-level edges. */
export function generateGraph(nodes: number, name = "big"): string {
  const out: string[] = [];
  out.push(`graph ${name} {`);
  out.push(`  start n0`);
  out.push(`  input {`, `    topic: string`, `    items: list<string>`, `  }`);
  out.push(`  state {`, `    messages: messages`, `    results: list<string> append`, `    count: number sum`, `    summary: string`, `    verdict: string`, `  }`);
  const side = Math.max(1, Math.floor(nodes / 50));
  const main = nodes - side;
  const next = (i: number) => (i + 1 < main ? `n${i + 1}` : "END");
  for (let i = 0; i < main; i++) {
    const shape = i % 8;
    const last = i + 1 >= main;
    out.push(`  node n${i} {`);
    if (last) {
      out.push(`    kind model`, `    model "m"`, `    prompt "Sum up {{ state.summary }}"`, `    writes summary`);
    } else if (shape <= 2) {
      out.push(`    kind model`, `    model "m"`, `    prompt "On {{ input.topic }}"`, `    writes summary`, `    next ${next(i)}`);
    } else if (shape === 3) {
      out.push(`    routes {`, `      when len(state.results) > ${i % 50} -> ${next(i)}`, `      else -> ${next(i)}`, `    }`);
    } else if (shape === 4) {
      out.push(`    kind set`, `    set { count: 1 }`, `    next ${next(i)}`);
    } else if (shape === 5 && i + 2 < nodes) {
      // fan-out to the next node, joined by the one after it
      out.push(`    kind set`, `    send [n${i + 1} { item: x } for x in input.items]`, `    join n${i + 2}`);
    } else if (shape === 6) {
      // a send target: ends its branch (no route), writes a result
      out.push(`    kind model`, `    model "m"`, `    prompt "Do {{ args.item }}"`, `    writes results`);
    } else {
      out.push(`    kind agent`, `    model "m"`, `    system "Step ${i}"`, `    next ${next(i)}`);
    }
    out.push(`  }`);
  }
  // top-level edges, as hand-written graphs use them: a tail chain after the last main node
  for (let i = 0; i < side; i++) out.push(`  node s${i} { kind set set { verdict: "s${i}" } }`);
  out.push(`  n${main - 1} -> s0`);
  for (let i = 0; i + 1 < side; i++) out.push(`  s${i} -> s${i + 1}`);
  out.push(`  s${side - 1} -> END`);
  out.push(`}`);
  return out.join("\n") + "\n";
}

/** One file of `graphs` one-node graphs (about 44 bytes each): the `compile-20k-graphs` workload. */
export function manyGraphs(graphs: number): string {
  return Array.from({ length: graphs }, (_, i) => `graph g${i} { start a node a { next END } }`).join("\n") + "\n";
}
