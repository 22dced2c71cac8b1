/**
 * A state field read but never written (issue 15, authoring trial): an author declared
 * `label`, routed on `state.label`, and forgot the classifier's `writes label`; every
 * route then saw null and `rag check` said ok. W-rag-state-never-written points at the
 * read and the declaration. Fields something may fill — a default, an input field, a
 * write of any node, a send's `-> field` — and graphs whose writers the file does not
 * spell out are left alone.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";

const graph = (body: string, state = "label: string  reply: string", io = "input { question: string }") => `graph g {
  start a
  ${io}
  state { ${state} }
${body}
}
`;
const TRIAGE = `  node a { kind model model "m" prompt "Classify {{ input.question }}" writes reply next b }
  node b { routes { when state.label == "bug" -> c  else -> END } }
  node c { kind set set { reply: "filed" } next END }`;
const warned = (src: string) => compile(src, { file: "t.rag" }).diagnostics.filter((d) => d.code === "W-rag-state-never-written");

describe("W-rag-state-never-written", () => {
  it("warns at the first read of a field nothing writes, naming its declaration", () => {
    const ds = warned(graph(TRIAGE));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ severity: "warning", message: "`state.label` is read here, but no node of graph `g` writes `label` and it is not an input field: it stays null", span: { start: { line: 6, column: 32 } }, labels: [{ message: "`label` is declared here, with no default" }] });
    expect(ds[0]!.help).toMatch(/writes label/);
  });

  it.each([
    ["a node writes it", TRIAGE.replace("writes reply next b", "writes label next b"), undefined, undefined],
    ["a `set` writes it", TRIAGE.replace('set { reply: "filed" }', 'set { reply: "filed", label: "x" }'), undefined, undefined],
    ["it has a default", TRIAGE, 'label: string = "none"  reply: string', undefined],
    ["it is an input field", TRIAGE, undefined, "input { question: string  label: string }"],
    ["the graph has no input block (a run's input may fill any field)", TRIAGE, undefined, ""],
    ["a send collects into it", TRIAGE.replace('node c { kind set set { reply: "filed" } next END }', 'node c { kind set send [d { q: input.question } -> label] join e }\n  node d { kind model model "m" prompt "x" writes reply }\n  node e { kind set set { reply: "done" } next END }'), undefined, undefined],
    ["a subgraph node may write it (its writers are not in the file)", TRIAGE + '\n  node s { kind subgraph graph "other" next END }', undefined, undefined],
    ["a tool node may write it (a tool's Command can update any field)", TRIAGE + '\n  node t { kind tool tool "classify" input {} writes reply next END }', undefined, undefined],
    ["an agent with tools may write it", TRIAGE + '\n  node t { kind agent model "m" tools ["classify"] next END }', undefined, undefined],
  ])("is quiet when %s", (_why, body, state, io) => {
    expect(warned(graph(body, state, io))).toEqual([]);
  });

  it("does not judge `messages` fields, which conversational nodes append to", () => {
    expect(warned(graph('  node a { kind agent model "m" system "s" next b }\n  node b { kind set set { reply: "{{ state.history }}" } next END }', "history: messages  reply: string"))).toEqual([]);
  });

  it("reports each unwritten field once, at its first read, in the order of the reads", () => {
    // declared `a` then `b`, read `b` first; `reply` is written; `a` is read twice
    const body = `  node a { kind model model "m" prompt "{{ state.b }} {{ state.a }}" writes reply next b }
  node b { routes { when state.a == "x" -> END  else -> END } }`;
    const ds = warned(graph(body, "a: string  b: string  reply: string"));
    expect(ds.map((d) => [d.message.slice(0, 10), d.span.start.column])).toEqual([["`state.b` ", 50], ["`state.a` ", 64]]);
  });
});

