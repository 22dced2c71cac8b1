const items = Array.from({ length: 1000 }, (_, i) => i);
const root = "/work/wt-runtime";
const { compileGraph } = await import(root + "/compiler/index.ts");
const { CompiledGraph } = await import(root + "/runtime/index.ts");
const { standardRegistry } = await import(root + "/stdlib/index.ts");
const registry = standardRegistry();
const src = `graph seq { start n0 ${Array.from({ length: 1000 }, (_, i) => `node n${i} { kind set ${i < 999 ? `next n${i + 1}` : "next END"} }`).join("\n")} }`;
const g = new CompiledGraph(compileGraph(src, { registry: registry.view() }).value, { registry });
const fsrc = `graph fan { start split input { items: list<number> } state { out: list<number> append  total: number = 0 } node split { kind set send [w { n: x } for x in input.items] join reduce } node w { kind set set { out: args.n } } node reduce { kind set set { total: len(state.out) } next END } }`;
const f = new CompiledGraph(compileGraph(fsrc, { registry: registry.view() }).value, { registry });
for (let i = 0; i < 100; i++) { await g.invoke({}, { recursionLimit: 2000 }); await f.invoke({ items }); }
