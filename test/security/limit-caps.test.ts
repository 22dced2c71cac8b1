/**
 * Numeric limits a `.rag` file sets have caps (`compiler/limit-caps.ts`): past them a
 * limit bounds nothing (`recursion_limit 1e9`, `max_attempts 1e6`), and every superstep,
 * attempt or agent turn may call a model. The compiler reports `E-rag-limit-too-large` on
 * the number; the runtime clamps a Blueprint that bypassed the compiler (the TS builder, a
 * hand-edited IR) to the same caps.
 */
import { describe, expect, it } from "vitest";
import { compile, LIMIT_CAPS, type Blueprint } from "../../compiler/index.js";
import { z } from "zod";
import { tool, type ModelProvider } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph } from "../../runtime/index.js";

function diagnostics(src: string) {
  const reg = registryFromConfig({ models: { m: { provider: { name: "x", chat: () => Promise.reject(new Error("unused")) } } } });
  return compile(src, { file: "caps.rag", registry: reg.view() })
    .diagnostics.filter((d) => d.code === "E-rag-limit-too-large")
    .map((d) => ({ code: d.code, message: d.message, line: d.span.start.line, column: d.span.start.column }));
}

describe("E-rag-limit-too-large", () => {
  it("reports recursion_limit, retry max_attempts (node, defaults block and `retry: N`) and max_steps (node and inline agent) above their caps, on the number", () => {
    const src = [
      "graph g {",
      "  start a",
      "  defaults { recursion_limit: 1000000, retry: { max_attempts: 500 } }",
      "  state { out: any }",
      '  node a { model "m" prompt "p" retry { max_attempts: 21 } writes out next b }',
      '  node b { kind agent model "m" prompt "p" max_steps 5000 writes out next c }',
      '  node c { kind subagent agent helper writes out next END }',
      "}",
      "graph h { start a defaults { retry: 99 } state { out: any } node a { model \"m\" prompt \"p\" writes out next END } }",
      'agent helper { model "m" max_steps 1001 }',
    ].join("\n");
    expect(diagnostics(src)).toEqual([
      { code: "E-rag-limit-too-large", message: "`recursion_limit` is 1000000; the most a file may set is 10,000", line: 3, column: 31 },
      { code: "E-rag-limit-too-large", message: "`max_attempts` is 500; the most a file may set is 20", line: 3, column: 63 },
      { code: "E-rag-limit-too-large", message: "`max_attempts` is 21; the most a file may set is 20", line: 5, column: 55 },
      { code: "E-rag-limit-too-large", message: "`max_steps` is 5000; the most a file may set is 1,000", line: 6, column: 54 },
      { code: "E-rag-limit-too-large", message: "`max_attempts` is 99; the most a file may set is 20", line: 9, column: 37 },
      { code: "E-rag-limit-too-large", message: "`max_steps` is 1001; the most a file may set is 1,000", line: 10, column: 36 },
    ]);
  });

  it("values at the caps compile clean", () => {
    const src = `graph g {
      start a
      defaults { recursion_limit: ${LIMIT_CAPS.recursion_limit} }
      state { out: any }
      node a { kind agent model "m" prompt "p" max_steps ${LIMIT_CAPS.max_steps} retry { max_attempts: ${LIMIT_CAPS.max_attempts} } writes out next END }
    }`;
    expect(diagnostics(src)).toEqual([]);
  });
});

describe("the runtime clamps a Blueprint that bypassed the compiler", () => {
  function compiled(src: string, provider: ModelProvider): { bp: Blueprint; registry: ReturnType<typeof registryFromConfig> } {
    // No circuit breaker: it would open after a few failures and hold the attempts back.
    const registry = registryFromConfig({ models: { m: { provider } }, middleware: { circuitBreaker: false } });
    const r = compile(src, { file: "caps.rag", registry: registry.view() });
    const errs = r.diagnostics.filter((d) => d.severity === "error");
    if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
    return { bp: r.value.blueprints[0], registry };
  }

  it("a recursion_limit of 1e9 written into the IR stops at 10,000 supersteps", async () => {
    const { bp, registry } = compiled(
      `graph g { start a defaults { recursion_limit: 50 } state { n: number = 0 } node a { kind set set { n: state.n + 1 } routes { when state.n < 0 -> END else -> a } } }`,
      { name: "x", chat: () => Promise.reject(new Error("unused")) },
    );
    const forged: Blueprint = { ...bp, defaults: { ...bp.defaults, recursion_limit: 1e9 } };
    const e = await new CompiledGraph(forged, { registry }).invoke({}).then(() => new Error("completed"), (x: Error) => x);
    expect(e.message).toContain(`recursion limit of ${LIMIT_CAPS.recursion_limit} supersteps`);
  });

  for (const forgedAttempts of [1000, NaN, "1000"] as const) {
    it(`a retry max_attempts of ${String(forgedAttempts)} written into the IR makes at most 20 attempts`, async () => {
    let calls = 0;
    const provider: ModelProvider = {
      name: "x",
      chat: () => {
        calls++;
        // A guard: past the cap a permanent error ends retries that would have no end.
        return Promise.reject(Object.assign(new Error("overloaded"), { status: calls > LIMIT_CAPS.max_attempts ? 400 : 503 }));
      },
    };
    const { bp, registry } = compiled(`graph g { start a state { out: any } node a { model "m" prompt "p" retry { max_attempts: 3, backoff: fixed, initial: 0, jitter: false } writes out next END } }`, provider);
    // NaN: `attempt >= NaN` is never true, so it retried without end.
    const forged: Blueprint = { ...bp, nodes: bp.nodes.map((n) => (n.name === "a" ? { ...n, retry: { ...n.retry!, maxAttempts: forgedAttempts as number } } : n)) };
    await expect(new CompiledGraph(forged, { registry }).invoke({})).rejects.toThrow();
    expect(calls).toBe(LIMIT_CAPS.max_attempts);
  }, 30_000);
  }

  // `capLimit` returned a value that is not a finite number as it was: `max_steps: Infinity`
  // (the TS builder) ran an agent loop without end, and `"5000"` (a hand-edited IR) 5,000 turns.
  for (const forgedSteps of [Infinity, "5000"] as const) {
    it(`an agent's max_steps of ${String(forgedSteps)} written into the IR makes at most ${LIMIT_CAPS.max_steps} model turns`, async () => {
      let calls = 0;
      const provider: ModelProvider = {
        name: "x",
        chat: () => {
          calls++;
          // A guard: without the cap the loop would not end.
          if (calls > LIMIT_CAPS.max_steps + 5) return Promise.reject(Object.assign(new Error("runaway"), { status: 400 }));
          return Promise.resolve({ message: { content: "", toolCalls: [{ id: `c${calls}`, name: "lookup", arguments: {} }] }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: "tool_calls" as const });
        },
      };
      const registry = registryFromConfig({ models: { m: { provider } }, tools: { lookup: tool({ description: "lookup", schema: z.object({}).passthrough(), run: () => "x" }) }, middleware: { circuitBreaker: false } });
      const r = compile(`graph g { start a state { out: any } node a { kind agent model "m" prompt "p" tools [lookup] max_steps 3 writes out next END } }`, { file: "caps.rag", registry: registry.view() });
      const errs = r.diagnostics.filter((d) => d.severity === "error");
      if (errs.length) throw new Error(errs.map((d) => `${d.code}: ${d.message}`).join("\n"));
      const bp = r.value.blueprints[0];
      const forged: Blueprint = { ...bp, nodes: bp.nodes.map((n) => (n.name === "a" ? ({ ...n, maxSteps: forgedSteps } as unknown as typeof n) : n)) };
      await new CompiledGraph(forged, { registry }).invoke({}).catch(() => undefined);
      expect(calls).toBeLessThanOrEqual(LIMIT_CAPS.max_steps);
    }, 60_000);
  }
});
