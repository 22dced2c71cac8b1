/**
 * Red team 12A: an `attach` URL is fetched by the model provider, which may sit on the
 * local network, so a URL on an internal host is refused (`localhost`, `.internal`,
 * `.local`, single-label names, internal addresses). The host was judged as the URL
 * parser writes it, and a fully qualified name keeps its trailing dot: `localhost.`,
 * `metadata.google.internal.` and `metadata.` — the same hosts to a resolver — were
 * attached, for a provider to fetch (a URL a run input or a model's output put in state).
 * The root's dot is dropped before the host is judged.
 */
import { describe, expect, it } from "vitest";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

const SRC = `graph look {
  start describe
  state { photo: string  answer: string }
  node describe { model "m" prompt "Describe it." attach { image: state.photo } writes { answer: result } next END }
}`;

describe("red team 12A: attach URLs on internal hosts written with the root's dot", () => {
  it.each([
    ["http://localhost.:11434/x.png", /localhost is a local name/],
    ["http://metadata.google.internal./computeMetadata/v1/", /metadata\.google\.internal is a local name/],
    ["http://metadata./computeMetadata", /metadata is a local name/],
    ["http://printer.local./x.png", /printer\.local is a local name/],
  ])("%s is refused before any call", async (url, why) => {
    const calls = scripted({ rules: [{ reply: "ok" }] });
    const { graph } = buildGraph(SRC, { registry: registryFromConfig({ models: { m: { provider: calls } } }) });
    const err = await graph.invoke({ photo: url }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/the URL is refused: /);
    expect((err as Error).message).toMatch(why);
    expect(calls.requests).toHaveLength(0);
  });

  it("a public name with the root's dot is attached as written", async () => {
    const calls = scripted({ rules: [{ reply: "ok" }] });
    const { graph } = buildGraph(SRC, { registry: registryFromConfig({ models: { m: { provider: calls } } }) });
    const r = await graph.invoke({ photo: "https://example.com./cat.png" });
    expect(r.status).toBe("completed");
    expect(calls.requests).toHaveLength(1);
  });
});
