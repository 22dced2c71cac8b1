/**
 * A `usd` budget needs priced models (issue 15, authoring round 2): the budget fails
 * closed on a model without a price, so `rag check` reports it (E-rag-budget-unpriced)
 * instead of every run failing at the first model call; `rag registry export` carries
 * prices, the card's "What you may use" shows them, and `rag simulate` registers them
 * (before, a priced model simulated as unpriced and every USD-budgeted path failed).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, registryViewFromSnapshot, signatureSection, type RegistrySnapshot } from "../../compiler/index.js";
import { exportRegistry } from "../../registry/index.js";
import type { SimReport } from "../../simulate/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { ragIn } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const provider = scripted({ rules: [], fallback: "ok" });
const registry = registryFromConfig({
  models: {
    cheap: { provider, price: { inputPerMTok: 1, outputPerMTok: 4 } },
    free: { provider },
  },
});

const SRC = `graph g {
  start a
  budget { usd: 0.50 }
  state { out: string }
  node a { model "cheap" prompt "Hi" writes out next b }
  node b { model "free" prompt "Hi" writes out next c }
  node c { model "free" prompt "Hi" writes out budget { tokens: 2k } next END }
}

agent helper { model "free" prompt "Help" budget { usd: 0.10 } }
`;
const errors = (src: string, snap?: RegistrySnapshot) =>
  compile(src, { registry: snap ? registryViewFromSnapshot(snap) : registry.view() }).diagnostics.filter((d) => d.code === "E-rag-budget-unpriced").map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`);

describe("E-rag-budget-unpriced", () => {
  it("names each node and inline agent whose unpriced model runs under a USD limit, and where the limit comes from", () => {
    expect(errors(SRC)).toEqual([
      "6:18 node `b` runs under a `usd` budget (graph `g`'s `budget`), but model `free` has no price, so its first call fails the run",
      "7:18 node `c` runs under a `usd` budget (graph `g`'s `budget`), but model `free` has no price, so its first call fails the run",
      "10:22 agent `helper` runs under a `usd` budget (its own `budget`), but model `free` has no price, so its first call fails the run",
    ]);
  });

  it("a tokens-only budget, a priced model, or a registry that says nothing about prices is fine", () => {
    expect(errors(SRC.replace("usd: 0.50", "tokens: 50k").replace("usd: 0.10", "tokens: 1k"))).toEqual([]);
    const snap = exportRegistry(registry);
    expect(snap.model_prices).toEqual({ cheap: { inputPerMTok: 1, outputPerMTok: 4 } });
    expect(errors(SRC, snap)).toHaveLength(3);
    const { model_prices: _, ...older } = snap;
    expect(errors(SRC, older)).toEqual([]);
  });

  it("the card shows each model's price, or that it has none", () => {
    const card = signatureSection(exportRegistry(registry));
    expect(card).toContain('- model "cheap": tools, output; 128k context; $1/$4 per M tokens in/out');
    expect(card).toContain('- model "free": tools, output; 128k context; no price (no `usd` budget)');
  });

  it("rag simulate runs a USD-budgeted graph on a priced model clean (exit 0)", async () => {
    const dir = scratchDir("rag-budget-price-");
    const snapFile = join(dir, "reg.json");
    writeFileSync(snapFile, JSON.stringify(exportRegistry(registry)));
    const file = join(dir, "g.rag");
    writeFileSync(file, `graph g { start a budget { usd: 0.50 } state { out: string } node a { model "cheap" prompt "Hi" writes out next END } }\n`);
    const r = await ragIn(["simulate", file, "--registry", snapFile, "--json"], dir);
    const report = JSON.parse(r.stdout) as SimReport;
    expect(report.errors).toEqual([]);
    expect(r.code).toBe(0);
  });
});
