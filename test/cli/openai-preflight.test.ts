/**
 * `rag run` with the `openai` provider (issue 14 §4): a missing API key is reported
 * before the run starts; a `.env` beside the config supplies it (never overriding a
 * variable already set); a server that answers JSON to a streaming request still works.
 * Real HTTP through the official SDK to a loopback server.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { jsonEvents, ragIn, root, scratchProject } from "../helpers/cli.js";
import { completion, startOpenAIServer, type OpenAIServer } from "../helpers/openai-server.js";

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const GRAPH = 'graph ask {\n  state { answer: string? }\n  start a\n  node a {\n    kind model\n    model "gpt"\n    prompt "Capital of France?"\n    writes answer\n    next END\n  }\n}\n';

function project(keyEnv: string, baseURL: string): string {
  const config = `import { defineConfig } from ${JSON.stringify(`${root}index.ts`)};
export default defineConfig({ models: { gpt: { provider: "openai", model: "gpt-test", options: { apiKeyEnv: ${JSON.stringify(keyEnv)}, baseURL: process.env.${keyEnv}_URL } } } });
`;
  return scratchProject({ "rag.config.ts": config, "ask.rag": GRAPH });
}

describe("rag run with the openai provider", () => {
  it("reports a missing API key before the run starts, naming the variable", async () => {
    const key = `RAG_T_${process.pid}_A`;
    const dir = project(key, "");
    const r = await ragIn(["run", "ask.rag", "--no-checkpoints"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: cannot start the run:");
    expect(r.stderr).toContain(`model \`gpt\` (openai): the openai provider needs an API key: set ${key}`);
    expect(r.stdout).not.toContain("step");
  });

  it("loads the key from .env beside the config, and reads a JSON reply to a streaming request", async () => {
    const key = `RAG_T_${process.pid}_B`;
    const server = await startOpenAIServer([{ noStream: true, body: completion({ content: "Paris." }) }]);
    servers.push(server);
    const dir = project(key, "");
    writeFileSync(join(dir, ".env"), `${key}=from-dotenv\n${key}_URL=${server.url}\n`);
    try {
      const r = await ragIn(["run", "ask.rag", "--no-checkpoints", "--json"], dir);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(jsonEvents(r.stdout).at(-1)!.state.answer).toBe("Paris.");
      expect(server.requests[0]!.headers.authorization).toBe("Bearer from-dotenv");
    } finally {
      delete process.env[key];
      delete process.env[`${key}_URL`];
    }
  });

  it("a variable already set wins over .env", async () => {
    const key = `RAG_T_${process.pid}_C`;
    const server = await startOpenAIServer([{ body: completion({ content: "Paris." }) }]);
    servers.push(server);
    const dir = project(key, "");
    writeFileSync(join(dir, ".env"), `${key}=from-dotenv\n${key}_URL=http://127.0.0.1:1/v1\n`);
    try {
      const r = await ragIn(["run", "ask.rag", "--no-checkpoints", "--json"], dir, { [key]: "from-env", [`${key}_URL`]: server.url });
      expect(r.code).toBe(0);
      expect(server.requests[0]!.headers.authorization).toBe("Bearer from-env");
    } finally {
      delete process.env[key];
      delete process.env[`${key}_URL`];
    }
  });
});
