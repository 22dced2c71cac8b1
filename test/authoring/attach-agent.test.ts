/**
 * `attach` on an inline `agent NAME { … }` block (issue 15 §2, `language.md` §5.1): the
 * agent's first user message carries the parts, evaluated where the agent runs — `input`
 * is the agent's input (a node's `input` map or a send packet), `state` the caller's —
 * whether a subagent node or a send runs it; its keys are checked like a node's.
 */
import { describe, expect, it } from "vitest";
import { compileGraph, formatSource } from "../../compiler/index.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

const PNG = Buffer.from("\x89PNG fake image bytes").toString("base64");

const SRC = `graph look {
  start describe
  state {
    photo: string
    pdf: any
    answer: string
  }
  node describe {
    kind subagent
    agent "looker"
    input { url: state.photo }
    writes { answer: result }
    next END
  }
}

agent looker {
  model "m"
  prompt "Describe {{ input.url }}."
  attach {
    image: input.url
    file: state.pdf
  }
}
`;

describe("attach on an inline agent", () => {
  it("compiles clean, formats to itself and lowers to the agent", () => {
    const r = compileGraph(SRC, {});
    expect(r.diagnostics).toEqual([]);
    expect(formatSource(SRC).value).toBe(SRC);
    expect(r.value!.agents[0].attach?.map((e) => e.key)).toEqual(["image", "file"]);
  });

  it("checks its keys: a misspelt one (with a fix), a repeated one", () => {
    const d = compileGraph(SRC.replace("image: input", "imgae: input"), {}).diagnostics;
    expect(d.map((x) => `${x.code} ${x.span.start.line}:${x.span.start.column}`)).toEqual(["E-rag-invalid-attach 21:5"]);
    expect(d[0].fixes?.[0]?.replacement).toBe("image");
    expect(compileGraph(SRC.replace("file: state.pdf", "file: state.pdf\n    file: state.pdf"), {}).diagnostics.map((x) => x.code)).toEqual(["E-rag-invalid-attach"]);
  });

  it("the agent's first user message carries the parts (scripted provider), from a subagent node and from a send", async () => {
    const provider = scripted({ rules: [{ reply: "a cat" }] });
    const registry = registryFromConfig({ models: { m: { provider } } });
    const input = { photo: "https://example.test/cat.png", pdf: { data: PNG, media_type: "application/pdf", name: "a.pdf" } };
    const r = await buildGraph(SRC, { registry }).graph.invoke(input);
    expect(r.state).toMatchObject({ answer: "a cat" });
    const users = provider.requests[0].messages.filter((m) => m.role === "user");
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ content: "Describe https://example.test/cat.png." });
    expect(users[0].parts).toEqual([
      { kind: "image", url: "https://example.test/cat.png" },
      { kind: "file", data: PNG, mediaType: "application/pdf", name: "a.pdf" },
    ]);

    const viaSend = SRC.replace(/node describe \{[\s\S]*?\n  \}\n/, `node describe {
    kind set
    set { answer: "" }
    send [looker { url: u } for u in ["https://example.test/a.png", "https://example.test/b.png"]]
    next END
  }
`);
    const p2 = scripted({ rules: [{ reply: "ok" }] });
    await buildGraph(viaSend, { registry: registryFromConfig({ models: { m: { provider: p2 } } }) }).graph.invoke({ photo: "", pdf: null });
    const images = p2.requests.map((q) => q.messages.find((m) => m.role === "user")?.parts).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(images).toEqual([[{ kind: "image", url: "https://example.test/a.png" }], [{ kind: "image", url: "https://example.test/b.png" }]]);
  });

  it("a bad part fails the task naming the part", async () => {
    const provider = scripted({ rules: [{ reply: "x" }] });
    const registry = registryFromConfig({ models: { m: { provider } } });
    await expect(buildGraph(SRC, { registry }).graph.invoke({ photo: "not a url", pdf: null })).rejects.toThrow(/attach image \(part 1\): expected an http\(s\) URL/);
    expect(provider.requests).toHaveLength(0);
  });
});
