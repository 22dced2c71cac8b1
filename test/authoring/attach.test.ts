/**
 * `attach { image: …, file: … }` (issue 15 §2, `language.md` §5.1): image and file parts
 * from state ride on a model/agent node's user message, through the scripted provider
 * and — over loopback HTTP servers, with the official SDKs — the openai and anthropic
 * providers' request shapes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compileGraph, formatSource } from "../../compiler/index.js";
import { openaiProvider } from "../../stdlib/providers/openai.js";
import { anthropicProvider } from "../../stdlib/providers/anthropic.js";
import { registryFromConfig, scripted } from "../../stdlib/index.js";
import type { ModelProvider } from "../../registry/index.js";
import { buildGraph } from "../helpers/run-graph.js";
import { completion, startOpenAIServer, type OpenAIServer } from "../helpers/openai-server.js";
import { message, startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";

const PNG = Buffer.from("\x89PNG fake image bytes").toString("base64");
const PDF = Buffer.from("%PDF-1.4 fake").toString("base64");

const SRC = `graph look {
  start describe
  state {
    photo: string
    scans: any
    contract: any
    answer: string
  }
  node describe {
    model "m"
    prompt "Describe the photo and the contract."
    attach {
      image: [state.photo, state.scans]
      file: state.contract
    }
    writes { answer: result }
    next END
  }
}
`;
const INPUT = { photo: "https://example.test/cat.png", scans: `data:image/png;base64,${PNG}`, contract: { data: PDF, media_type: "application/pdf", name: "contract.pdf" } };

const run = (provider: ModelProvider, input: Record<string, unknown> = INPUT, src = SRC) => buildGraph(src, { registry: registryFromConfig({ models: { m: { provider } } }) }).graph.invoke(input);

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

describe("attach: language", () => {
  it("compiles clean and formats to itself", () => {
    expect(compileGraph(SRC, {}).diagnostics).toEqual([]);
    expect(formatSource(SRC).value).toBe(SRC);
  });

  it("keys other than image/file are E-rag-invalid-attach with a fix; attach on a tool node has no effect", () => {
    const d = compileGraph(SRC.replace("image: [", "imgae: ["), {}).diagnostics;
    expect(d.map((x) => `${x.code} ${x.span.start.line}:${x.span.start.column}`)).toEqual(["E-rag-invalid-attach 13:7"]);
    expect(d[0].fixes?.[0]?.replacement).toBe("image");
    const reads = compileGraph(SRC.replace("state.contract", "state.contrct"), {}).diagnostics.map((x) => x.code);
    expect(reads).toEqual(["E-rag-unknown-field"]);
    const onTool = compileGraph('graph g { start a state { p: string } node a { kind tool tool "t" attach { image: state.p } next END } }', {}).diagnostics.map((x) => x.code);
    expect(onTool).toContain("W-rag-item-unused");
  });
});

describe("attach: providers", () => {
  it("the scripted provider receives the parts on the prompt's user message", async () => {
    const provider = scripted({ rules: [{ reply: "a cat and a contract" }] });
    const r = await run(provider);
    expect(r.state).toMatchObject({ answer: "a cat and a contract" });
    const user = provider.requests[0].messages.find((m) => m.role === "user");
    expect(user).toMatchObject({ content: "Describe the photo and the contract." });
    expect(user?.parts).toEqual([
      { kind: "image", url: "https://example.test/cat.png" },
      { kind: "image", mediaType: "image/png", data: PNG },
      { kind: "file", data: PDF, mediaType: "application/pdf", name: "contract.pdf" },
    ]);
  });

  it("openai (official SDK, loopback server): image_url and file content parts", async () => {
    const server: OpenAIServer = await startOpenAIServer([{ body: completion({ content: "seen" }) }]);
    closers.push(() => server.close());
    const r = await run(openaiProvider({ baseURL: server.url, apiKey: "test-key", maxRetries: 0 }));
    expect(r.state).toMatchObject({ answer: "seen" });
    const body = server.requests[0].body as { messages: { role: string; content: unknown }[] };
    expect(body.messages.find((m) => m.role === "user")?.content).toEqual([
      { type: "text", text: "Describe the photo and the contract." },
      { type: "image_url", image_url: { url: "https://example.test/cat.png" } },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: "file", file: { file_data: `data:application/pdf;base64,${PDF}`, filename: "contract.pdf" } },
    ]);
  });

  it("anthropic (official SDK, loopback server): image and document blocks", async () => {
    const server: AnthropicServer = await startAnthropicServer([{ body: message({ text: "seen" }) }]);
    closers.push(() => server.close());
    const r = await run(anthropicProvider({ baseURL: server.url, apiKey: "sk-ant-test" }));
    expect(r.state).toMatchObject({ answer: "seen" });
    const body = server.requests[0].body as { messages: { role: string; content: unknown }[] };
    expect(body.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "Describe the photo and the contract." },
        { type: "image", source: { type: "url", url: "https://example.test/cat.png" } },
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
        { type: "document", source: { type: "base64", media_type: "application/pdf", data: PDF }, title: "contract.pdf" },
      ],
    });
  });

  it("null attaches nothing; a bad value fails the task naming graph, node and part, before any call", async () => {
    const provider = scripted({ rules: [{ reply: "ok" }] });
    await run(provider, { photo: null, scans: null, contract: null });
    expect(provider.requests[0].messages.find((m) => m.role === "user")?.parts).toBeUndefined();
    const calls = scripted({ rules: [{ reply: "ok" }] });
    const err = await run(calls, { ...INPUT, photo: "/etc/passwd" }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ errorClass: "permanent", node: "describe" });
    expect((err as Error).message).toMatch(/graph `look`, node `describe`: attach image \(part 1\): expected an http\(s\) URL/);
    expect(calls.requests).toHaveLength(0);
    const notImage = await run(calls, { ...INPUT, scans: { data: PDF, media_type: "application/pdf" } }).catch((e: unknown) => e as Error);
    expect((notImage as Error).message).toMatch(/an image has an `image\/…` media type/);
    const many = await run(calls, { ...INPUT, scans: Array.from({ length: 30 }, () => INPUT.photo) }).catch((e: unknown) => e as Error);
    expect((many as Error).message).toMatch(/more than 20 parts/);
  });

  it.each([
    ["the cloud metadata service", "http://169.254.169.254/latest/meta-data/iam", /169\.254\.169\.254 is a link-local address/],
    ["loopback", "http://127.0.0.1:8000/admin.png", /127\.0\.0\.1 is a loopback address/],
    ["a private network", "https://10.1.2.3/x.png", /10\.1\.2\.3 is a private address/],
    ["IPv6 loopback", "http://[::1]/x.png", /\[::1\] is a loopback address/],
    ["an IPv4-mapped IPv6 address", "http://[::ffff:192.168.0.1]/x.png", /is a private address/],
    ["localhost", "http://localhost:11434/x.png", /localhost is a local name/],
    ["a single-label name", "http://metadata/computeMetadata", /metadata is a local name/],
    ["an .internal name", "http://metadata.google.internal/x", /metadata\.google\.internal is a local name/],
  ])("a URL on %s is refused before any call (the provider would fetch it from inside the network)", async (_what, url, why) => {
    const calls = scripted({ rules: [{ reply: "ok" }] });
    const err = await run(calls, { ...INPUT, photo: url }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ errorClass: "permanent", node: "describe" });
    expect((err as Error).message).toMatch(/attach image \(part 1\): the URL is refused: /);
    expect((err as Error).message).toMatch(why);
    expect(calls.requests).toHaveLength(0);
  });
});
