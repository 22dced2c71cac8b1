/**
 * `rag run`'s status line while a model call is in flight (issue 14 §4): on a TTY a
 * spinner with the model, elapsed time and the streamed tokens, fitted to the terminal
 * width with string-width and erased before the next progress line; nothing on a pipe.
 * A real run (scripted replies) drives the real ProgressPrinter.
 */
import { describe, expect, it } from "vitest";
import stringWidth from "string-width";
import { ProgressPrinter } from "../../cli/progress.js";
import { ModelSpinner } from "../../cli/spinner.js";
import { compileGraph } from "../../compiler/index.js";
import { CompiledGraph } from "../../runtime/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";

const GRAPH = 'graph ask {\n  state { answer: string? }\n  start a\n  node a {\n    kind model\n    model "m"\n    prompt "Capital of France?"\n    writes answer\n    next END\n  }\n}\n';

/** A stand-in terminal: what was written, `isTTY` and `columns` as given. */
function terminal(isTTY: boolean, columns = 60) {
  const chunks: string[] = [];
  const out = { isTTY, columns, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => chunks.join(""), chunks };
}

async function run(out: NodeJS.WriteStream, now: () => number) {
  const registry = registryFromConfig({ models: { m: { provider: scripted({ name: "t", rules: [{ reply: "Paris is the capital of France." }] }) } } });
  const bp = compileGraph(GRAPH, { registry: registry.view() }).value!;
  const printer = new ProgressPrinter(out, registry, bp, [], { now, tick: false });
  for await (const e of new CompiledGraph(bp, { registry }).stream({})) printer.event(e);
  printer.close();
}

describe("model call status line", () => {
  it("on a TTY: spinner, model, elapsed seconds and streamed tokens, erased before the next line", async () => {
    const t = terminal(true);
    let clock = 0;
    await run(t.out, () => (clock += 250));
    const status = t.chunks.filter((c) => c.startsWith("\r\x1b[2K") && c.length > 5);
    expect(status.length).toBeGreaterThan(2);
    expect(status[0]).toMatch(/^\r\x1b\[2K. model m \(a\) · 0\.\ds$/);
    expect(status.at(-1)).toMatch(/model m \(a\) · \d+\.\ds · Paris is the capital of France\.$/);
    // The line is erased before "model m → answer" is printed, and the run ends without a status line.
    // Colours depend on the environment (picocolors turns them on under CI=1): compare without them.
    const text = t.text().replace(/\x1b\[[0-9;]*m/g, "");
    expect(text.indexOf("\r\x1b[2K      model m → answer")).toBeGreaterThan(0);
    expect(text.endsWith("\n") || text.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("not on a pipe", async () => {
    const t = terminal(false);
    await run(t.out, Date.now);
    expect(t.text()).not.toContain("\x1b[2K");
    expect(t.text()).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });

  it("fits the terminal width, counting wide characters as two columns", () => {
    const t = terminal(true, 40);
    const s = new ModelSpinner(t.out, { now: () => 1000, tick: false });
    s.start("k", "model m");
    s.token("k", "東京は日本の首都です。".repeat(4));
    const line = s.render(40);
    expect(stringWidth(line)).toBeLessThanOrEqual(39);
    expect(line).toContain("…");
    expect(line.endsWith("首都です。")).toBe(true);
    s.stop();
  });
});
