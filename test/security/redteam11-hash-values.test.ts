/**
 * Red team 11: two files, one blueprint hash. An approval covers one hash, so two files
 * with the same hash and different behaviour let an approved graph change unreviewed.
 *
 * (a) The hash writer dropped every member named `span` whose value looked like a source
 * position, at any depth, inside user values too: a state default, the graph's or a
 * node's `metadata` holding `{ span: { start: { offset: 0 }, end: { offset: 0 }, q } }`
 * hashed without `q`. Approved with `q: "weather"`, rewritten to `q: "DROP TABLE users"`:
 * same hash, no review asked, the tool called with the new argument; `rag diff` said
 * nothing changed.
 * (b) The hash sorted the keys of user objects, but their order is visible at run time
 * (`keys(state.cfg)[0]`): `{ deny: 1, pay: 2 }` and `{ pay: 2, deny: 1 }` hashed the same
 * and routed differently.
 *
 * Now spans are dropped only from the IR's own elements, and user values (a field's
 * `default`, a literal's `value`, a reducer's `args`, `defaults`, `metadata`) are hashed
 * exactly as written, key order included (compiler/canonical.ts `memberMode`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { blueprintHash, compileGraph, diffBlueprints, type Blueprint } from "../../compiler/index.js";
import { approveBlueprint, resolvePolicy, tool } from "../../registry/index.js";
import { CompiledGraph, ReviewRequiredError } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { ragIn, scratchProject } from "../helpers/cli.js";

const SPAN_ATTACK = `// rag:generated-by model
graph g2 { start a state { cfg: any = { span: { start: { offset: 0 }, end: { offset: 0 }, q: "weather" } }, out: any } node a { kind tool tool "search" input { q: state.cfg.span.q } writes out next END } }
`;
const EVIL = SPAN_ATTACK.replace('"weather"', '"DROP TABLE users"');

const orderAttack = (cfg: string) => `// rag:generated-by model
graph g { start a state { cfg: any = ${cfg}, out: string = "" }
  node a { kind set set { out: "checked" } routes { when keys(state.cfg)[0] == "deny" -> END else -> b } }
  node b { kind set set { out: "paid" } next END } }
`;
const DENY_FIRST = orderAttack("{ deny: 1, pay: 2 }");
const PAY_FIRST = orderAttack("{ pay: 2, deny: 1 }");

function setup() {
  const calls: unknown[] = [];
  const registry = standardRegistry();
  registry.registerTool("search", tool({ description: "search", schema: z.object({ q: z.string() }), readOnly: true, run: (args: { q: string }) => (calls.push(args), "found") }));
  const bp = (text: string): Blueprint => {
    const r = compileGraph(text, { registry: registry.view() });
    if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
    return r.value;
  };
  const gate = () => {
    registry.policy = resolvePolicy({ name: "team", requireReview: "untrusted", untrustedAllow: { tools: ["search"] } });
  };
  return { registry, bp, gate, calls };
}

const bare = (text: string): Blueprint => {
  const r = compileGraph(text, {});
  if (!r.value) throw new Error(r.diagnostics.map((d) => d.message).join("; "));
  return r.value;
};

describe("red team 11 (a): a user value's `span` member is part of the hash", () => {
  it("approving the `weather` file does not approve the `DROP TABLE users` one: other hash, the gate asks again", async () => {
    const { registry, bp, gate, calls } = setup();
    gate();
    const approved = bp(SPAN_ATTACK);
    approveBlueprint(registry, approved, { approvedBy: "ada" });
    await new CompiledGraph(approved, { registry }).invoke();
    expect(calls).toEqual([{ q: "weather" }]);
    const evil = bp(EVIL);
    expect(evil.hash).not.toBe(approved.hash);
    expect(() => new CompiledGraph(evil, { registry })).toThrow(ReviewRequiredError);
    expect(calls).toEqual([{ q: "weather" }]);
  });

  it("graph_diff / rag diff report the changed default, with the `span` member shown", () => {
    const d = diffBlueprints(bare(SPAN_ATTACK), bare(EVIL));
    expect(d.identical).toBe(false);
    expect(d.changes).toEqual([
      {
        area: "channel",
        op: "changed",
        subject: "cfg",
        fields: [{ field: "default", before: { span: { start: { offset: 0 }, end: { offset: 0 }, q: "weather" } }, after: { span: { start: { offset: 0 }, end: { offset: 0 }, q: "DROP TABLE users" } } }],
      },
    ]);
  });

  it("the same in graph metadata, node metadata and graph defaults", () => {
    const span = (q: string) => `{ span: { start: { offset: 0 }, end: { offset: 0 }, q: "${q}" } }`;
    const places = [
      (v: string) => `graph g { start a state { out: any } metadata { m: ${v} } node a { kind set set { out: 1 } next END } }`,
      (v: string) => `graph g { start a state { out: any } node a { kind set set { out: 1 } metadata { m: ${v} } next END } }`,
      (v: string) => `graph g { start a state { out: any } defaults { custom: ${v} } node a { kind set set { out: 1 } next END } }`,
    ];
    for (const place of places) {
      const a = bare(place(span("weather")));
      const b = bare(place(span("DROP TABLE users")));
      expect(b.hash, place("V")).not.toBe(a.hash);
      expect(diffBlueprints(a, b).changes.length, place("V")).toBeGreaterThan(0);
      expect(JSON.stringify(diffBlueprints(a, b).changes)).toContain("DROP TABLE users");
    }
  });

  it("rag diff exits 1 and names the change", async () => {
    const dir = scratchProject({ "a.rag": SPAN_ATTACK, "b.rag": EVIL });
    const r = await ragIn(["diff", "a.rag", "b.rag", "--format", "json"], dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ identical: false, changes: [{ area: "channel", subject: "cfg", fields: [{ field: "default" }] }] });
  });

  it("the IR's own spans stay out of the hash: reformatting the file keeps it", () => {
    const spaced = SPAN_ATTACK.replace("graph g2 {", "graph g2 {\n\n   ").replace(" node a", "\n  node a");
    expect(bare(spaced).hash).toBe(bare(SPAN_ATTACK).hash);
    expect(diffBlueprints(bare(SPAN_ATTACK), bare(spaced)).changes).toEqual([]);
  });

  it("IR members named like user values stay IR (a send's `args`, a call's `args`, an entry's `value`); a reducer's `args` are a user value", () => {
    const g = (n: string, pad = "") => `graph g { start a state { items: list<string> = ["x"], l: integer barrier ${n}, results: list<any> append }${pad}
      node a { kind set set { l: len(state.items) } send [w { item: x, k: { a: 1 } } for x in state.items -> results] }${pad}
      node w { kind set set { l: 1 } next END } }`;
    expect(bare(g("2", "\n\n   ")).hash).toBe(bare(g("2")).hash);
    expect(bare(g("3")).hash).not.toBe(bare(g("2")).hash);
  });
});

describe("red team 11 (b): the key order of a user object is part of the hash", () => {
  it("the two orders route differently, so they hash differently and the gate asks again", async () => {
    const { registry, bp, gate } = setup();
    const denyFirst = bp(DENY_FIRST);
    const payFirst = bp(PAY_FIRST);
    expect((await new CompiledGraph(denyFirst, { registry }).invoke()).state.out).toBe("checked");
    expect((await new CompiledGraph(payFirst, { registry }).invoke()).state.out).toBe("paid");
    expect(payFirst.hash).not.toBe(denyFirst.hash);
    gate();
    approveBlueprint(registry, denyFirst, { approvedBy: "ada" });
    expect(() => new CompiledGraph(denyFirst, { registry })).not.toThrow();
    expect(() => new CompiledGraph(payFirst, { registry })).toThrow(ReviewRequiredError);
  });

  it("rag diff / graph_diff report the reordered default", () => {
    const d = diffBlueprints(bare(DENY_FIRST), bare(PAY_FIRST));
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0]).toMatchObject({ area: "channel", subject: "cfg", fields: [{ field: "default" }] });
    expect(Object.keys((d.changes[0]!.fields![0]!.after as object))).toEqual(["pay", "deny"]);
  });

  it("an approved blueprint reordered in memory (builder, blueprint JSON) no longer matches its hash and does not bind", () => {
    const { registry, bp, gate } = setup();
    gate();
    const approved = bp(DENY_FIRST);
    approveBlueprint(registry, approved, { approvedBy: "ada" });
    const edited = { ...approved, state: approved.state.map((f) => (f.name === "cfg" ? { ...f, default: { pay: 2, deny: 1 } } : f)) } as Blueprint;
    expect(blueprintHash(edited)).not.toBe(approved.hash);
    expect(() => new CompiledGraph(edited, { registry })).toThrow(/does not match its hash/);
  });

  it("reordered graph metadata is a change `rag diff` names", () => {
    const g = (m: string) => bare(`graph g { start a state { out: any } metadata ${m} node a { kind set set { out: 1 } next END } }`);
    const d = diffBlueprints(g("{ a: 1, b: 2 }"), g("{ b: 2, a: 1 }"));
    expect(d.identical).toBe(false);
    expect(d.changes).toEqual([{ area: "policy", op: "changed", subject: "metadata (key order)", before: { a: 1, b: 2 }, after: { b: 2, a: 1 } }]);
  });
});

/** A JSON value as a `.rag` literal (the same spelling in blocks and expressions). */
function literal(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (v !== null && typeof v === "object") return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`).join(", ")} }`;
  return JSON.stringify(v);
}

/** The same value with every object's keys in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
}

describe("red team 11: property", () => {
  // Every place a file writes a user literal: state default, graph defaults and metadata,
  // node metadata, `set`, `input`.
  const places: [string, (v: string) => string][] = [
    ["state default", (v) => `graph g { start a state { cfg: any = ${v}, out: any } node a { kind set set { out: 1 } next END } }`],
    ["graph defaults", (v) => `graph g { start a state { out: any } defaults { custom: ${v} } node a { kind set set { out: 1 } next END } }`],
    ["graph metadata", (v) => `graph g { start a state { out: any } metadata { m: ${v} } node a { kind set set { out: 1 } next END } }`],
    ["node metadata", (v) => `graph g { start a state { out: any } node a { kind set set { out: 1 } metadata { m: ${v} } next END } }`],
    ["set", (v) => `graph g { start a state { out: any } node a { kind set set { out: ${v} } next END } }`],
    ["input", (v) => `graph g { start a state { out: any } node a { kind tool tool "search" input { q: ${v} } writes out next END } }`],
  ];
  // Small alphabets, so that equal and nearly equal pairs are common; span-shaped objects included.
  const key = fc.constantFrom("span", "start", "end", "offset", "q", "deny", "pay");
  const json = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom("weather", "DROP TABLE users", ""),
      fc.nat(2),
      fc.boolean(),
      fc.constant(null),
      fc.constant({ start: { offset: 0 }, end: { offset: 0 } }),
      fc.array(tie("v"), { maxLength: 3 }),
      fc.dictionary(key, tie("v"), { maxKeys: 4 }),
    ),
  })).v;
  const pair = json.chain((a) => fc.tuple(fc.constant(a), fc.oneof(json, fc.constant(reversed(a)), fc.constant(a))));

  it("a user literal hashes the same exactly when it is the same JSON, key order included, in every place", () => {
    fc.assert(
      fc.property(fc.constantFrom(...places), pair, ([, place], [a, b]) => {
        const x = bare(place(literal(a)));
        const y = bare(place(literal(b)));
        expect(x.hash === y.hash).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(diffBlueprints(x, y).changes.length === 0).toBe(JSON.stringify(a) === JSON.stringify(b));
      }),
      { numRuns: 300 },
    );
  });
});
