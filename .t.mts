import { harness } from "./test/repl/helpers.ts";
const h = harness();
const BROKEN = 'graph pipeline { start first node first { kind set set { x: 1 } next secnd } node second { kind set next END } state { x: number } }';
const FIXED = BROKEN.replace("secnd", "second");
const ok = await h.run(`let d2 = graph_define({name: "pipeline", source: ${JSON.stringify(FIXED)}})\nlet c = graph_compile(d2)\nlet reg = graph_register({graph: c})\nlet out = graph_run({graph: "pipeline", input: {}})\n[graph_validate(d2).ok, c.needs_review, reg.reviewed, out.state.x, c.hash.startsWith("sha256:")]`);
console.log(ok.value, ok.diagnostics);
