const items = Array.from({ length: 1000 }, (_, i) => i);
async function load(root: string) {
  const { compileGraph } = await import(root + "/compiler/index.ts");
  const { CompiledGraph } = await import(root + "/runtime/index.ts");
  const { standardRegistry } = await import(root + "/stdlib/index.ts");
  const registry = standardRegistry();
  const src = `graph seq { start n0 ${Array.from({ length: 1000 }, (_, i) => `node n${i} { kind set ${i < 999 ? `next n${i + 1}` : "next END"} }`).join("\n")} }`;
  const g = new CompiledGraph(compileGraph(src, { registry: registry.view() }).value, { registry });
  const fsrc = `graph fan { start split input { items: list<number> } state { out: list<number> append  total: number = 0 } node split { kind set send [w { n: x } for x in input.items] join reduce } node w { kind set set { out: args.n } } node reduce { kind set set { total: len(state.out) } next END } }`;
  const f = new CompiledGraph(compileGraph(fsrc, { registry: registry.view() }).value, { registry });
  return { seq: () => g.invoke({}, { recursionLimit: 2000 }), fan: () => f.invoke({ items }) };
}
const A = await load("/work/main"), B = await load("/work/wt-runtime");
for (const k of ["seq", "fan"] as const) {
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < 5; i++) { await A[k](); await B[k](); }
  for (let i = 0; i < 30; i++) {
    let c0 = process.cpuUsage(); await A[k](); let c = process.cpuUsage(c0); ta.push((c.user + c.system) / 1000);
    c0 = process.cpuUsage(); await B[k](); c = process.cpuUsage(c0); tb.push((c.user + c.system) / 1000);
  }
  ta.sort((a, b) => a - b); tb.sort((a, b) => a - b);
  console.log(k, "main med", ta[15].toFixed(1), "min", ta[0].toFixed(1), "| mine med", tb[15].toFixed(1), "min", tb[0].toFixed(1));
}
