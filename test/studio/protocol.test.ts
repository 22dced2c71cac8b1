/**
 * The language worker's analysis as it crosses to the page (studio/app/protocol.ts): node
 * spans go packed (names + one Int32Array) and come back as the record the page reads.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { packSpans, unpackAnalysis, type WorkerAnalysis } from "../../studio/app/protocol.js";

describe("studio worker protocol", () => {
  it("packs a graph's node spans into one typed array and unpacks them unchanged, by node name", () => {
    const src = "graph g {\n  start a\n  node a {\n    kind set\n    set { n: 1 }\n    next b\n  }\n  node b { kind set set { n: 2 } next END }\n  state { n: number }\n}\n";
    const bp = compile(src, { file: "g.rag" }).value.blueprints[0];
    const spans = Object.fromEntries(bp.nodes.map((n) => [n.name, n.span]));
    const packed = packSpans(bp.nodes.map((n) => [n.name, n.span] as const));
    expect(packed.at).toBeInstanceOf(Int32Array);
    expect(packed.names).toEqual(["a", "b"]);
    const wire: WorkerAnalysis = structuredClone({ version: 3, diagnostics: [], spans: packed, graphs: ["g"], input: null, timings: { compileMs: 1, viewMs: 0 } });
    const a = unpackAnalysis(wire);
    expect({ ...a.spans }).toEqual(spans);
    expect(a.spans.b.start).toEqual({ line: 8, column: 3, offset: src.indexOf("node b") });
    expect({ ...a, spans: undefined }).toEqual({ ...wire, spans: undefined });
  });

  it("unpacks into a null-prototype record: a node named like an Object property is just a key", () => {
    const span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 5, offset: 4 } };
    const a = unpackAnalysis({ version: 1, diagnostics: [], spans: packSpans([["__proto__", span], ["constructor", span]]), graphs: [], input: null, timings: { compileMs: 0, viewMs: 0 } });
    expect(Object.getPrototypeOf(a.spans)).toBeNull();
    expect(Object.keys(a.spans)).toEqual(["__proto__", "constructor"]);
    expect(a.spans.__proto__).toEqual(span);
    expect(unpackAnalysis({ version: 1, diagnostics: [], spans: packSpans([]), graphs: [], input: null, timings: { compileMs: 0, viewMs: 0 } }).spans).toEqual({});
  });
});
