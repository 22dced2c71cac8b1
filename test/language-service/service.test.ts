/**
 * The language service in process: each feature answers what an editor user relies on,
 * in LSP shapes (0-based lines, UTF-16 characters), and no text or position makes it
 * throw.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSource } from "../../compiler/index.js";
import { createLanguageService, SEMANTIC_TOKENS_LEGEND, type LsPosition, type LsTextEdit, type ServiceRegistrySnapshot } from "../../language-service/index.js";

const URI = "file:///work/demo.rag";
const REGISTRY: ServiceRegistrySnapshot = {
  models: ["default", "fast"],
  tools: ["search", "read_repo"],
  agents: ["final_reviewer"],
  graphs: ["summarize"],
  tool_details: { search: { description: "Search the notes.", parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] }, read_only: true } },
};

/** Opens `marked` (with one `|` for the cursor) and returns the service and cursor position. */
function at(marked: string, registry: ServiceRegistrySnapshot | undefined = REGISTRY) {
  const i = marked.indexOf("|");
  const text = marked.slice(0, i) + marked.slice(i + 1);
  const before = text.slice(0, i).split("\n");
  const pos: LsPosition = { line: before.length - 1, character: before[before.length - 1].length };
  const ls = createLanguageService(registry ? { registry } : {});
  ls.update(URI, text);
  return { ls, pos, text };
}
const labels = (marked: string, registry?: ServiceRegistrySnapshot) => {
  const { ls, pos } = at(marked, registry ?? REGISTRY);
  return ls.completion(URI, pos).items.map((i) => i.label);
};

/** Applies LSP edits to text (from the end, as editors do). */
function apply(text: string, edits: readonly LsTextEdit[]): string {
  const offset = (p: LsPosition) => text.split("\n").slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

const GRAPH = (body: string) => `graph g {
  start a
  channel notes append
  state {
    count number sum
    topic string
  }
  input { question string }
  node a {
    kind agent
    ${body}
  }
  node b { kind set set { count: 1 } next END }
}
`;

describe("completion", () => {
  it("offers node kinds after `kind`, and only items valid for the node's kind at an item start", () => {
    expect(labels(GRAPH("kind |"))).toEqual(expect.arrayContaining(["model", "agent", "subagent", "repl_agent", "human"]));
    const items = labels(GRAPH("|"));
    expect(items).toEqual(expect.arrayContaining(["tools", "max_steps", "prompt", "next", "routes", "send"]));
    expect(items).not.toContain("agent"); // an agent node does not use `agent` (W-rag-item-unused)
    expect(items).not.toContain("sources");
  });

  it("offers node names (and END) where a node is expected", () => {
    expect(labels(GRAPH("next |")).sort()).toEqual(["END", "a", "b"]);
    expect(labels(GRAPH("routes { when state.count > 1 -> | }")).sort()).toEqual(["END", "a", "b"]);
    expect(labels("graph g {\n  start |\n  node x { next END }\n}")).toEqual(["x"]);
  });

  it("offers state fields after `writes`, as `set` keys and after `state.`", () => {
    expect(labels(GRAPH("writes |")).sort()).toEqual(["count", "notes", "topic"]);
    expect(labels(GRAPH("set { | }")).sort()).toEqual(["count", "notes", "topic"]);
    expect(labels(GRAPH("set { count: len(state.|) }")).sort()).toEqual(["count", "notes", "topic"]);
    expect(labels(GRAPH('prompt "Answer {{ state.t| }}"')).sort()).toEqual(["count", "notes", "topic"]);
    expect(labels(GRAPH('prompt "Answer {{ input.| }}"'))).toEqual(["question"]);
  });

  it("offers expression roots and functions in a value", () => {
    const items = labels(GRAPH("set { topic: | }"));
    expect(items).toEqual(expect.arrayContaining(["state", "input", "len", "starts_with", "default"]));
  });

  it("offers registry names inside strings and lists, replacing the string's content", () => {
    const { ls, pos } = at(GRAPH('model "de|"'));
    const list = ls.completion(URI, pos);
    expect(list.items.map((i) => i.label)).toEqual(["default", "fast"]);
    expect(list.items[0].textEdit!.range).toEqual({ start: { line: 10, character: 11 }, end: { line: 10, character: 13 } });
    expect(labels(GRAPH('tools ["search", "|"]'))).toEqual(["search", "read_repo"]);
    expect(labels(GRAPH("model |"))).toEqual(["default", "fast"]);
    const search = at(GRAPH('tools ["|"]')).ls.completion(URI, at(GRAPH('tools ["|"]')).pos).items.find((i) => i.label === "search");
    expect(search?.documentation).toContain('"query"');
  });

  it("offers agents of the file and the registry for `agent`, graphs for a subgraph's `model`", () => {
    const src = 'agent helper { model "fast" }\ngraph g {\n  start a\n  node a { kind subagent agent "|" }\n}';
    expect(labels(src)).toEqual(["helper", "final_reviewer"]);
    expect(labels('graph g {\n  start a\n  node a { kind subgraph model "|" }\n}')).toEqual(["g", "summarize"]);
  });

  it("offers send targets, types and reducers by position", () => {
    expect(labels(GRAPH("send [ | ]"))).toEqual(expect.arrayContaining(["a", "b", "final_reviewer", "summarize"]));
    expect(labels(GRAPH("send [ b { q: state.topic } -> | ]")).sort()).toEqual(["count", "notes", "topic"]);
    expect(labels("graph g {\n  state {\n    x |\n  }\n}")).toEqual(expect.arrayContaining(["string", "number", "list", "messages"]));
    expect(labels("graph g {\n  channel x |\n}")).toEqual(expect.arrayContaining(["append", "messages", "barrier", "aggregate"]));
    expect(labels("|")).toEqual(["graph", "agent", "schema"]);
    expect(labels("graph g {\n  |\n}")).toEqual(expect.arrayContaining(["start", "state", "channel", "node", "allow"]));
  });

  it("offers nothing inside comments or where a new name is written", () => {
    expect(labels(GRAPH("// next |"))).toEqual([]);
    expect(labels("graph |")).toEqual([]);
    expect(labels("graph g {\n  node |\n}")).toEqual([]);
    expect(labels("graph g {\n  channel |\n}")).toEqual([]);
  });

  it("offers route forms, command parts and registry functions by position", () => {
    expect(labels(GRAPH("routes { | }"))).toEqual(["when", "else", "tool_call", "final", "error"]);
    expect(labels(GRAPH("command { | }"))).toEqual(["goto", "update"]);
    expect(labels(GRAPH("command { update { | } }")).sort()).toEqual(["count", "notes", "topic"]);
    expect(labels('graph g {\n  start a\n  node a { kind router model "|" }\n}', { routers: ["pick"] })).toEqual(["pick"]);
    expect(labels(GRAPH("checkpoint |"))).toEqual(["inherit", "none", "sync", "async", "exit"]);
  });
});

describe("hover", () => {
  const hover = (marked: string) => {
    const { ls, pos } = at(marked);
    return ls.hover(URI, pos)?.contents.value;
  };
  it("shows a tool's description and argument schema", () => {
    const md = hover(GRAPH('tools ["sea|rch"]'));
    expect(md).toContain("**tool** `search` (registry)");
    expect(md).toContain("Search the notes.");
    expect(md).toContain('"required": [\n    "query"\n  ]');
  });
  it("shows a field's type and reducer, and a channel's reducer", () => {
    expect(hover(GRAPH("writes cou|nt"))).toMatch(/^\*\*state field\*\* `count`: `number`, reducer `sum`/);
    expect(hover(GRAPH("writes top|ic"))).toMatch(/`topic`: `string`, reducer `overwrite` \(default\)/);
    expect(hover(GRAPH("writes no|tes"))).toMatch(/^\*\*channel\*\* `notes`: `any`, reducer `append`/);
  });
  it("shows kind docs, function signatures and item keywords", () => {
    expect(hover(GRAPH("").replace("kind agent", "kind sub|agent"))).toMatch(/^\*\*kind\*\* `subagent` — runs a registered or inline agent/);
    expect(hover(GRAPH("set { count: le|n(state.notes) }"))).toContain("len(coll) -> number");
    expect(hover(GRAPH("ret|ry { max_attempts 3 }"))).toMatch(/^\*\*`retry`\*\* — retry policy/);
  });
  it("shows a run input field's type from the graph's `input { … }`", () => {
    expect(hover(GRAPH('prompt "Q: {{ input.quest|ion }}"'))).toBe("**run input** `question`: `string`");
    expect(hover(GRAPH('prompt "Q: {{ input.ot|her }}"'))).toBe("**run input** `other` — not a field of the graph's `input { … }`");
  });
  it("says when a registry name is not in the registry", () => {
    expect(hover(GRAPH('tools ["ser|ch"]'))).toBe("**tool** `serch` — not in the registry");
  });
});

describe("definition, references and rename", () => {
  const SRC = `schema Verdict { ok boolean }
agent helper { model "fast" }
graph g {
  start a
  channel notes append
  node a { kind model output Verdict writes notes next b }
  node b { kind subagent agent "helper" set { notes: state.notes } next END }
}
graph h {
  start a
  node a { next END }
}
graph k { start s node s { kind subgraph graph "h" send [helper] next END } }
`;
  const pos = (needle: string, nth = 0, delta = 1): LsPosition => {
    let i = -1;
    for (let k = 0; k <= nth; k++) i = SRC.indexOf(needle, i + 1);
    const before = SRC.slice(0, i + delta).split("\n");
    return { line: before.length - 1, character: before[before.length - 1].length };
  };
  const ls = createLanguageService({ registry: REGISTRY });
  ls.update(URI, SRC);

  it("goes to the declaration of a node, schema and agent", () => {
    expect(ls.definition(URI, pos("next b", 0, 5))).toEqual([{ uri: URI, range: { start: { line: 6, character: 7 }, end: { line: 6, character: 8 } } }]);
    expect(ls.definition(URI, pos("Verdict", 1))).toEqual([{ uri: URI, range: { start: { line: 0, character: 7 }, end: { line: 0, character: 14 } } }]);
    expect(ls.definition(URI, pos('"helper"', 0, 2))).toEqual([{ uri: URI, range: { start: { line: 1, character: 6 }, end: { line: 1, character: 12 } } }]);
    expect(ls.definition(URI, pos('"fast"', 0, 2))).toEqual([]); // a registry name: declared elsewhere
    expect(ls.definition(URI, pos('graph "h"', 0, 8))).toEqual([{ uri: URI, range: { start: { line: 8, character: 6 }, end: { line: 8, character: 7 } } }]);
    expect(ls.definition(URI, pos("send [helper]", 0, 7))).toEqual([{ uri: URI, range: { start: { line: 1, character: 6 }, end: { line: 1, character: 12 } } }]);
    expect(ls.references(URI, pos("agent helper", 0, 7)).map((r) => r.range.start.line)).toEqual([1, 6, 12]);
  });

  it("finds references of a field across writes, set keys and state paths, scoped to its graph", () => {
    const refs = ls.references(URI, pos("channel notes", 0, 9));
    expect(refs.map((r) => r.range.start)).toEqual([
      { line: 4, character: 10 },
      { line: 5, character: 44 },
      { line: 6, character: 46 },
      { line: 6, character: 59 },
    ]);
    expect(ls.references(URI, pos("channel notes", 0, 9), false)).toHaveLength(3);
    // node `a` of graph g: its declaration and `start a`, not graph h's `a`.
    expect(ls.references(URI, pos("node a", 0, 5)).map((r) => r.range.start.line)).toEqual([5, 3]);
  });

  it("renames a node or field in its graph only; refuses other symbols, bad names and taken names", () => {
    const r = ls.rename(URI, pos("node a", 0, 5), "first");
    expect("edit" in r).toBe(true);
    const renamed = apply(SRC, "edit" in r ? r.edit.changes[URI] : []);
    expect(renamed).toContain("start first\n  channel");
    expect(renamed).toContain("node first { kind model");
    expect(renamed).toContain("graph h {\n  start a\n  node a {");
    const f = ls.rename(URI, pos("writes notes", 0, 8), "findings");
    expect(apply(SRC, "edit" in f ? f.edit.changes[URI] : [])).toContain("set { findings: state.findings }");
    expect(ls.rename(URI, pos("Verdict", 1), "V")).toEqual({ error: { code: "not-renamable", message: "only a node or a state field / channel can be renamed" } });
    expect(ls.rename(URI, pos("node a", 0, 5), "END")).toMatchObject({ error: { code: "invalid-name" } });
    expect(ls.rename(URI, pos("node a", 0, 5), "9x")).toMatchObject({ error: { code: "invalid-name" } });
    expect(ls.rename(URI, pos("node a", 0, 5), "b")).toMatchObject({ error: { code: "name-taken" } });
    expect(ls.prepareRename(URI, pos("node b", 0, 5))).toEqual({ range: { start: { line: 6, character: 7 }, end: { line: 6, character: 8 } }, placeholder: "b" });
  });

  it("lists graphs with their nodes and fields, agents and schemas", () => {
    const syms = ls.symbols(URI);
    expect(syms.map((s) => [s.name, s.detail])).toEqual([["Verdict", "schema"], ["helper", "agent"], ["g", "graph"], ["h", "graph"], ["k", "graph"]]);
    expect(syms[2].children!.map((c) => [c.name, c.detail])).toEqual([["notes", "channel append"], ["a", "model"], ["b", "subagent"]]);
  });
});

describe("diagnostics and code actions", () => {
  const SRC = 'graph g {\n  start a\n  node a { kind sett next b }\n  node b { kind model model "defualt" next END }\n}\n';
  it("maps compiler diagnostics to LSP shapes, fixes included", () => {
    const { ls } = at(SRC + "|");
    const ds = ls.diagnostics(URI);
    const kind = ds.find((d) => d.code === "W-rag-unknown-node-kind")!;
    expect(kind).toMatchObject({ severity: 2, source: "rag", range: { start: { line: 2, character: 16 }, end: { line: 2, character: 20 } } });
    expect(kind.message).toBe("`sett` is not a built-in node kind\nhelp: did you mean `set`? Until then `a` counts as a custom kind, which may go anywhere and write anything, so loops, joins and writes through it are not checked.");
    expect(kind.data.fixes).toEqual([{ title: "replace `sett` with `set`", edits: [{ range: kind.range, newText: "set" }] }]);
    expect(ds.find((d) => d.code === "E-rag-unknown-model")?.severity).toBe(1);
  });
  it("offers each fix touching the range as a quick fix, and a fix-all", () => {
    const { ls, text } = at(SRC + "|");
    const actions = ls.codeActions(URI, { start: { line: 2, character: 17 }, end: { line: 2, character: 17 } });
    const quick = actions.filter((a) => a.kind === "quickfix");
    expect(quick.map((a) => a.title)).toEqual(["replace `sett` with `set`"]);
    const all = actions.find((a) => a.kind === "source.fixAll.rag")!;
    const fixed = apply(text, all.edit.changes[URI]);
    expect(fixed).toContain("kind set next b");
    expect(fixed).toContain('model "default"');
  });
});

describe("review gates", () => {
  it("warns that a gated graph needs review until its hash is approved", () => {
    const src = "graph g {\n  start a\n  node a { next END }\n}\n";
    const registry: ServiceRegistrySnapshot = { policy: { name: "team", review: "all" } };
    const gated = createLanguageService({ registry });
    gated.update(URI, src);
    expect(gated.diagnostics(URI).map((d) => d.code)).toEqual(["W-rag-review-required"]);
    const hash = gated.compilation(URI)!.value.blueprints[0].hash;
    const approved = createLanguageService({ registry, approvals: { isApproved: (h) => h === hash } });
    approved.update(URI, src);
    expect(approved.diagnostics(URI)).toEqual([]);
  });
});

describe("formatting and semantic tokens", () => {
  it("formats to `rag fmt`'s output, and leaves a file with syntax errors alone", () => {
    const messy = "graph g {start a\nnode a { kind set set { x: 1 } next END }\n  state { x number }}\n";
    const { ls } = at(messy + "|");
    expect(apply(messy, ls.format(URI))).toBe(formatSource(messy).value);
    const broken = at("graph g { node a { next } |");
    expect(broken.ls.format(URI)).toEqual([]);
  });

  it("marks contextual keywords by position: a node called `review` is a node, its `next` a keyword", () => {
    const src = "graph g {\n  start review\n  node review { next END }\n}\n";
    const { ls } = at(src + "|");
    const data = ls.semanticTokens(URI).data;
    const toks: { line: number; char: number; text: string; type: string }[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
      toks.push({ line, char, text: src.split("\n")[line].slice(char, char + data[i + 2]), type: SEMANTIC_TOKENS_LEGEND.tokenTypes[data[i + 3]] });
    }
    expect(toks.map((t) => `${t.text}:${t.type}`)).toEqual(["graph:keyword", "g:namespace", "start:keyword", "review:function", "node:keyword", "review:function", "next:keyword"]);
  });

  it("tokens of a range of lines (the editor's visible lines) are the document's tokens on those lines, still encoded from the document's start", () => {
    const decode = (data: readonly number[]) => {
      const out: string[] = [];
      let line = 0;
      let char = 0;
      for (let i = 0; i < data.length; i += 5) {
        line += data[i];
        char = data[i] === 0 ? char + data[i + 1] : data[i + 1];
        out.push(`${line}:${char}:${data.slice(i + 2, i + 5).join(":")}`);
      }
      return out;
    };
    const full = readFileSync(new URL("../../examples/research_review.rag", import.meta.url), "utf8");
    const ls = createLanguageService({ registry: REGISTRY });
    // A whole file and a broken one (a recovered tree).
    for (const text of [full, full.slice(0, Math.floor(full.length * 0.6))]) {
      ls.update(URI, text);
      const all = decode(ls.semanticTokens(URI).data);
      const lineCount = text.split("\n").length;
      let seen = 0;
      for (let start = 0; start < lineCount; start += 4) {
        const end = start + 6;
        const want = all.filter((t) => Number(t.split(":")[0]) >= start && Number(t.split(":")[0]) <= end);
        seen += want.length;
        expect(decode(ls.semanticTokens(URI, { start: { line: start, character: 0 }, end: { line: end, character: 0 } }).data), `lines ${start}-${end}`).toEqual(want);
      }
      expect(seen).toBeGreaterThan(all.length);
    }
    // Lines past the end: none; a range given backwards reads as the same lines.
    expect(ls.semanticTokens(URI, { start: { line: 10_000, character: 0 }, end: { line: 10_010, character: 0 } }).data).toEqual([]);
    expect(ls.semanticTokens(URI, { start: { line: 9, character: 0 }, end: { line: 3, character: 0 } })).toEqual(ls.semanticTokens(URI, { start: { line: 3, character: 0 }, end: { line: 9, character: 0 } }));
  });
});

describe("robustness", () => {
  it("never throws, for every prefix of a real example and every position in it", () => {
    const full = readFileSync(new URL("../../examples/research_review.rag", import.meta.url), "utf8");
    const ls = createLanguageService({ registry: REGISTRY });
    for (let cut = 0; cut <= full.length; cut += 7) {
      const text = full.slice(0, cut);
      ls.update(URI, text);
      const lines = text.split("\n");
      const p = { line: lines.length - 1, character: lines[lines.length - 1].length };
      ls.diagnostics(URI);
      ls.completion(URI, p);
      ls.hover(URI, p);
      ls.definition(URI, p);
      ls.references(URI, p);
      ls.rename(URI, p, "x");
      ls.symbols(URI);
      ls.semanticTokens(URI);
      ls.codeActions(URI, { start: { line: 0, character: 0 }, end: p });
    }
    ls.update(URI, full);
    expect(ls.completion(URI, { line: 999, character: 999 }).items.length).toBeGreaterThanOrEqual(0);
    expect(ls.hover("file:///never-opened.rag", { line: 0, character: 0 })).toBeNull();
  });

  it("never throws for arbitrary text made of the language's pieces, at any position", () => {
    const piece = fc.constantFrom("graph ", "g", " {", "}", "node ", "a ", "kind ", "agent ", "next ", "END", "->", "[", "]", '"', "'", '"""', "{{", "}}", "state.", "x", ": ", ",", "\n", "// c", "/*", "*/", "send ", "for ", "in ", "routes ", "when ", "set ", "channel ", "append ", "schema ", "(", ")", "#", "\\", "é", "😀");
    const ls = createLanguageService({ registry: REGISTRY });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(), (parts, at) => {
        const text = parts.join("");
        ls.update(URI, text);
        const lines = text.split("\n");
        const line = at % lines.length;
        const p = { line, character: Math.floor(at / lines.length) % (lines[line].length + 1) };
        ls.diagnostics(URI);
        ls.completion(URI, p);
        ls.hover(URI, p);
        ls.references(URI, p);
        ls.rename(URI, p, "y");
        ls.symbols(URI);
        ls.format(URI);
        ls.semanticTokens(URI);
        ls.codeActions(URI, { start: { line: 0, character: 0 }, end: p });
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
