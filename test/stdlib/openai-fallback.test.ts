/**
 * The `openai` provider with servers that do not stream, that cannot be reached, and
 * without a key (issue 14 §4): the official SDK over real loopback HTTP.
 */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../../registry/index.js";
import { NodeError } from "../../runtime/index.js";
import { openaiProvider } from "../../stdlib/providers/openai.js";
import { completion, startOpenAIServer, type OpenAIServer, type ScriptedResponse } from "../helpers/openai-server.js";

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(script: readonly ScriptedResponse[]): Promise<OpenAIServer> {
  const s = await startOpenAIServer(script);
  servers.push(s);
  return s;
}

const request: ChatRequest = { model: "gpt-test", messages: [{ id: "m1", role: "user", content: "Capital of France?" }] };

describe("openai provider: a server that answers JSON to a streaming request", () => {
  it("reads the whole completion, hands the text to onToken, and stops asking that server to stream", async () => {
    const server = await serve([{ noStream: true, body: completion({ content: "Paris." }) }, { noStream: true, body: completion({ content: "Lyon." }) }]);
    const provider = openaiProvider({ baseURL: server.url, apiKey: "k" });
    const tokens: string[] = [];
    const first = await provider.chat(request, { onToken: async (t) => void tokens.push(t) });
    expect(first.message.content).toBe("Paris.");
    expect(first.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
    expect(tokens).toEqual(["Paris."]);
    expect(server.requests[0]!.body.stream).toBe(true);
    const second = await provider.chat(request, { onToken: async (t) => void tokens.push(t) });
    expect(second.message.content).toBe("Lyon.");
    expect(server.requests[1]!.body.stream).toBeUndefined();
    expect(tokens).toEqual(["Paris.", "Lyon."]);
  });

  it("`stream: false` never streams, even with onToken", async () => {
    const server = await serve([{ body: completion({ content: "Paris." }) }]);
    const provider = openaiProvider({ baseURL: server.url, apiKey: "k", stream: false });
    const tokens: string[] = [];
    const r = await provider.chat(request, { onToken: async (t) => void tokens.push(t) });
    expect(r.message.content).toBe("Paris.");
    expect(server.requests[0]!.body.stream).toBeUndefined();
    expect(tokens).toEqual(["Paris."]);
  });

  it("still streams from a server that streams", async () => {
    const server = await serve([{ body: completion({ content: "Paris is the capital." }) }]);
    const tokens: string[] = [];
    const r = await openaiProvider({ baseURL: server.url, apiKey: "k" }).chat(request, { onToken: async (t) => void tokens.push(t) });
    expect(r.message.content).toBe("Paris is the capital.");
    expect(tokens.length).toBeGreaterThan(1);
  });
});

describe("openai provider: connection errors and keys", () => {
  it("a refused connection names the URL and the errno", async () => {
    // A port that was free a moment ago: nothing listens there now.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const url = `http://127.0.0.1:${port}/v1`;
    const e = await openaiProvider({ baseURL: url, apiKey: "k" }).chat(request).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(NodeError);
    expect((e as NodeError).message).toContain(`cannot connect to ${url} (ECONNREFUSED)`);
  });

  it("preflight names a missing key without a network call; a key or a baseURL satisfies it", () => {
    const saved = process.env.RAG_TEST_NO_SUCH_KEY;
    delete process.env.RAG_TEST_NO_SUCH_KEY;
    try {
      const problem = openaiProvider({ apiKeyEnv: "RAG_TEST_NO_SUCH_KEY" }).preflight?.();
      expect(problem).toContain("needs an API key: set RAG_TEST_NO_SUCH_KEY");
      expect(openaiProvider({ apiKeyEnv: "RAG_TEST_NO_SUCH_KEY", apiKey: "k" }).preflight?.()).toBeUndefined();
      expect(openaiProvider({ apiKeyEnv: "RAG_TEST_NO_SUCH_KEY", baseURL: "http://127.0.0.1:1/v1" }).preflight?.()).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.RAG_TEST_NO_SUCH_KEY = saved;
    }
  });
});
