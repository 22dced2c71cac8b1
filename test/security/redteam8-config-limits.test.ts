/**
 * Red team 8: hostile values of the harness's limits in `rag.config.ts`
 * (`middleware.budget`, `middleware.rateLimit`). The config's shape was checked everywhere
 * but `middleware`, which took any object: `budget: { run: { tokens: "lots" } }`, a NaN,
 * a misspelt `tokns` or `nodes: { a: 500 }` compared false with every total, and a graph
 * made ten calls under a budget that was meant to stop it at two — no word said. They are
 * refused when the config loads now, naming the key path (as `repl: { maxOperations:
 * "lots" }` is).
 */
import { describe, expect, it } from "vitest";
import { ConfigError, type RagConfig } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";

describe("red team 8: the harness's limits in the config are typed", () => {
  const bad: [string, RagConfig["middleware"]][] = [
    ["middleware.budget.run.tokens", { budget: { run: { tokens: "lots" as unknown as number } } }],
    ["middleware.budget.run.tokens", { budget: { run: { tokens: Number.NaN } } }],
    ["middleware.budget.run.usd", { budget: { run: { usd: -1 } } }],
    ["middleware.budget.run.tokns", { budget: { run: { tokns: 500 } as never } }],
    ["middleware.budget.nodes.a", { budget: { nodes: { a: 500 as never } } }],
    ["middleware.budget.expectedOutputTokens", { budget: { expectedOutputTokens: "x" as unknown as number } }],
    ["middleware.rateLimit.openai.requestsPerMinute", { rateLimit: { openai: { requestsPerMinute: "fast" as unknown as number } } }],
    // 0 read as "no limit" (the middleware tests the value's truth): a limit of 0 is refused.
    ["middleware.rateLimit.openai.requestsPerMinute", { rateLimit: { openai: { requestsPerMinute: 0 } } }],
    ["middleware.rateLimit.openai.tokensPerMinute", { rateLimit: { openai: { tokensPerMinute: 0 } } }],
  ];
  for (const [path, middleware] of bad) {
    it(`refuses ${JSON.stringify(middleware)} naming \`${path}\``, () => {
      let err: unknown;
      try {
        registryFromConfig({ middleware } as RagConfig);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.path.join("."))).toContain(path);
    });
  }

  it("takes well-formed limits (and the other layers' options) as before", () => {
    const reg = registryFromConfig({ middleware: { budget: { run: { tokens: 1000, usd: 0.5 }, node: { tokens: 200 }, nodes: { a: { usd: 0.1 } }, expectedOutputTokens: 300 }, rateLimit: { openai: { requestsPerMinute: 60, maxConcurrent: 2 } }, retry: { maxAttempts: 2 }, cache: false } } as RagConfig);
    expect(reg.middleware.map((m) => m.name)).toContain("budget");
  });
});
