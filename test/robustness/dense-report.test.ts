/**
 * Issue 10 §3: "a 1 MiB dense graph crashes diagnostic rendering". The human report is
 * bounded however many findings a file has: at most MAX_RENDERED_DIAGNOSTICS diagnostics
 * (errors first) and MAX_RENDERED_LABELS labels each, a long loop's message elides its
 * middle, and the summary still counts everything. JSON keeps every diagnostic.
 */
import { describe, expect, it } from "vitest";
import { compile, renderDiagnostics } from "../../compiler/index.js";
import { MAX_RENDERED_DIAGNOSTICS, MAX_RENDERED_LABELS, MAX_RENDERED_REPORT_CHARS } from "../../compiler/diagnostics/render.js";

/**
 * `n` nodes of `kind`, each with `fan` successors around a ring, so every node is on a loop
 * with no exit. The kind's `prompt` is an item a `set` node does not use: one warning per node.
 * (Not a misspelt kind: a kind that is not built in may be a registry kind, whose goto can
 * leave any loop, so the loop would not be reported.)
 */
function dense(n: number, fan: number, kind: string): string {
  const lines = ["graph g {", "  start n0"];
  for (let i = 0; i < n; i++) {
    const next = Array.from({ length: fan }, (_, j) => `n${(i + j + 1) % n}`).join(", ");
    lines.push(`  node n${i} { kind ${kind} next [${next}] }`);
  }
  lines.push("}");
  return lines.join("\n");
}

describe("reports on dense graphs stay bounded", () => {
  const source = dense(600, 8, 'set prompt "p"');
  const r = compile(source, { file: "dense.rag" });
  const text = renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: "dense.rag" });

  it("draws at most MAX_RENDERED_DIAGNOSTICS, errors first, and counts the rest in the summary", () => {
    expect(r.diagnostics.length).toBe(601);
    const drawn = text.match(/^(error|warning)\[/gm) ?? [];
    expect(drawn).toHaveLength(MAX_RENDERED_DIAGNOSTICS);
    expect(drawn.filter((x) => x === "error[")).toHaveLength(1); // the one error is kept although it comes last
    expect(text).toMatch(/1 error, 600 warnings \(551 not shown; `--format json` lists all\)$/);
  });

  it("a loop through every node names 10 of them and draws at most MAX_RENDERED_LABELS labels", () => {
    const loop = r.diagnostics.find((d) => d.code === "E-rag-cycle-without-exit")!;
    expect(loop.message).toMatch(/^the loop `n0` → `n1` → .* → … \(\d+ more\) → `n\d+` → `n0` has no way out$/);
    expect(loop.message.length).toBeLessThan(200);
    expect(loop.labels.length).toBeGreaterThan(MAX_RENDERED_LABELS);
    const block = text.split("\n\n").find((b) => b.startsWith("error[E-rag-cycle-without-exit]"))!;
    expect(block.split("\n").filter((l) => /\|\s+-+ /.test(l))).toHaveLength(MAX_RENDERED_LABELS);
    expect(block).toContain(`note: ${loop.labels.length - MAX_RENDERED_LABELS} more labels not shown`);
  });

  it("a short report is drawn whole", () => {
    const small = compile(dense(3, 1, 'set prompt "p"'), { file: "s.rag" });
    const t = renderDiagnostics(small.diagnostics, { lines: small.value.lines, file: "s.rag" });
    expect(t).not.toMatch(/not shown/);
    expect(t).toMatch(/the loop `n0` → `n1` → `n2` → `n0` has no way out/);
  });
});

describe("long lines are windowed (fuzz seed 7: 750 KB reports)", () => {
  it("3,000 findings on one 15,000-character line: a bounded report whose lines are short", () => {
    const src = `graph g { start a ${"a -> ".repeat(3000)}a }\n`;
    const r = compile(src, { file: "long.rag" });
    expect(r.diagnostics.length).toBeGreaterThan(1000);
    const text = renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: "long.rag" });
    expect(text.length).toBeLessThan(32 * 1024);
    expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThan(200);
    expect(text).toMatch(/^1 \| graph g \{ start a a -> .*…$/m);
  });

  it("a 40,000-character name is elided in the message and the line", () => {
    const name = "n".repeat(40_000);
    const src = `graph g {\n  start ${name}x\n  node ${name} { next END }\n}\n`;
    const r = compile(src, { file: "names.rag" });
    const text = renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: "names.rag" });
    expect(text.length).toBeLessThan(8 * 1024);
    expect(text).toMatch(/^error\[E-rag-unknown-start\]: start node `n+…n+x` does not exist$/m);
  });

  it("the report stops drawing past MAX_RENDERED_REPORT_CHARS and counts the rest", () => {
    const name = (i: number) => `${"m".repeat(900)}${i}`;
    const src = `graph g {\n  start a\n  node a { next [${Array.from({ length: 300 }, (_, i) => name(i)).join(", ")}] }\n}\n`;
    const r = compile(src, { file: "many.rag" });
    expect(r.diagnostics.length).toBeGreaterThanOrEqual(300);
    const text = renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: "many.rag" }, undefined, 1000);
    expect(text.length).toBeGreaterThan(MAX_RENDERED_REPORT_CHARS);
    expect(text.length).toBeLessThan(MAX_RENDERED_REPORT_CHARS + 16 * 1024);
    expect(text).toMatch(/\(\d+ not shown; `--format json` lists all\)$/);
  });
});
