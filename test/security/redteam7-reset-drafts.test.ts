/**
 * Red team 7: a graph a model wrote, registered after a person's `:reset` gave the
 * session back. A model-written script's drafts (`graph_define`) stay in the session's
 * store with the model as their author, and a `:reset data` keeps their handles (plain
 * records). Whether `graph_compile` asked for a review (`repl.reviewGeneratedGraphs`)
 * followed who the session was trusted as at compile time, not who wrote the draft: once
 * the person's `:reset` raised the session back, compiling the model's draft gave a
 * handle `graph_register` took unreviewed. The draft's own author decides now.
 *
 * And the graphs a lowered session registered stayed after the reset: a model script
 * (under `reviewGeneratedGraphs: false`) registered its own graph under the name of one the
 * person had loaded, and the person's next `graph_run` of that name ran the model's. A
 * person's reset now gives back the graphs the session had when it was lowered.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFile, type LoadHooks } from "../../repl/directives.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const SOURCE = "graph g { start a node a { next END } }";

function hooks(session: Session): LoadHooks {
  return { cell: async (source) => (await session.runCell(source)).ok, loaded: () => true, error: () => undefined };
}

describe("a model's draft after a person's :reset data", () => {
  it("still needs a review before it is registered", async () => {
    const dir = scratchDir("rt7-drafts-");
    writeFileSync(join(dir, "gen.ragsh"), `// rag:generated-by model\nd = graph_define({name: "g", source: ${JSON.stringify(SOURCE)}})\n`);
    const session = new Session({ registry: registryFromConfig({} as never) });
    expect(await loadFile(session, join(dir, "gen.ragsh"), hooks(session))).toBe(true);
    expect(session.author).toBe("model");
    expect(session.reset("data")).toEqual(["d"]);
    expect(session.restoreTrust()).toBe(true);
    const r = await session.runCell('graph_register({name: "mine", graph: graph_compile(d)})');
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]?.code).toBe("E-ragsh-review-required");
    expect(session.graphs.has("mine")).toBe(false);
  });

  it("a graph the lowered session registered goes, and one it replaced comes back", async () => {
    const dir = scratchDir("rt7-graphs-");
    writeFileSync(join(dir, "mine.rag"), "graph deploy { start a node a { next END } }\n");
    const theirs = "graph deploy { start a node a { next b } node b { next END } }";
    writeFileSync(join(dir, "gen.ragsh"), `// rag:generated-by model\ngraph_register({name: "deploy", graph: graph_compile(graph_define({name: "deploy", source: ${JSON.stringify(theirs)}}))})\n// %%\ngraph_register({name: "extra", graph: graph_compile(graph_define({name: "deploy", source: ${JSON.stringify(theirs)}}))})\n`);
    const session = new Session({ registry: registryFromConfig({ repl: { reviewGeneratedGraphs: false } } as never) });
    expect(await loadFile(session, join(dir, "mine.rag"), hooks(session))).toBe(true);
    const mine = session.graphs.get("deploy");
    expect(await loadFile(session, join(dir, "gen.ragsh"), hooks(session))).toBe(true);
    expect(session.graphs.get("deploy")?.provenance?.generatedBy).toBe("model");
    session.reset();
    expect(session.restoreTrust()).toBe(true);
    expect(session.graphs.get("deploy")).toBe(mine);
    expect(session.graphs.has("extra")).toBe(false);
    expect(session.capabilityNames().graphs.has("extra")).toBe(false);
  });

  it("held: the person's own draft registers without one", async () => {
    const session = new Session({ registry: registryFromConfig({} as never) });
    const r = await session.runCell(`graph_register({name: "mine", graph: graph_compile(graph_define({name: "g", source: ${JSON.stringify(SOURCE)}}))})`);
    expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
  });
});
