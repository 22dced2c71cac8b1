/**
 * Registry for the examples in this folder. The model `default` is the `scripted`
 * provider: deterministic replies from the script below, so the examples run offline
 * and give the same result every time. To use a real model instead, replace it with
 * e.g. `{ provider: "openai", model: "gpt-4o-mini" }` (needs OPENAI_API_KEY, or a
 * `baseURL` for a local OpenAI-compatible server).
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { defineConfig, scripted, tool, z } from "ragraph";

/** A tiny fixed knowledge base for the `search` tool. */
const NOTES = [
  { id: "runtime.md#2", text: "A join after a fan-out runs exactly once, after every branch of that fan-out has ended." },
  { id: "runtime.md#1", text: "Each superstep runs its tasks against one frozen snapshot and applies all writes at the barrier." },
  { id: "language.md#2.2", text: "The messages reducer merges by message id; append accepts one item or a list per write." },
];

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

const lastText = (req: { messages: readonly { role: string; content: string }[] }, role: string) =>
  [...req.messages].reverse().find((m) => m.role === role)?.content ?? "";

export default defineConfig({
  models: {
    default: {
      provider: scripted({
        name: "examples demo script",
        rules: [
          // research_review: the supervisor searches once, then answers.
          { when: { node: "supervisor", lastRole: "user" }, reply: (req) => ({ toolCalls: [{ name: "search", arguments: { query: lastText(req, "user") } }] }) },
          { when: { node: "supervisor", lastRole: "tool" }, reply: (req) => `Plan: the search returned ${JSON.parse(lastText(req, "tool")).length} note(s). Delegating research and verification to two agents in parallel.` },
          { when: { agent: "research_agent" }, reply: (req) => `Finding for "${lastText(req, "user")}": joins are tracked per fan-out, so the review runs once after both branches end.` },
          { when: { agent: "verifier_agent" }, reply: "Critique: the claim holds only if every branch ends; a branch that loops forever is stopped by the recursion limit." },
          { when: { agent: "final_reviewer" }, reply: (req) => {
              const input = JSON.parse(lastText(req, "user")) as { findings?: unknown[]; critiques?: unknown[] };
              return `Review: ${input.findings?.length ?? 0} finding and ${input.critiques?.length ?? 0} critique considered. Verdict: sound, with the recursion-limit caveat noted.`;
            } },
          // support_agent: look the user up, then answer.
          { when: { node: "agent", lastRole: "user" }, reply: (req) => ({ toolCalls: [{ name: "lookup_user", arguments: { email: /[\w.]+@[\w.]+/.exec(lastText(req, "user"))?.[0] ?? "unknown@example.com" } }] }) },
          { when: { node: "agent", lastRole: "tool" }, reply: (req) => `You are on the ${JSON.parse(lastText(req, "tool")).plan} plan; I have reset your API key. Anything else?` },
          // map_reduce: one summary per item, then a combined one.
          { when: { node: "worker" }, reply: (req) => `summary of ${lastText(req, "user").replace(/^Summarize: /, "")}` },
          { when: { node: "reduce" }, reply: (req) => `Combined ${JSON.parse(lastText(req, "user").replace(/^Combine these summaries: /, "")).length} summaries.` },
        ],
      }),
      capabilities: { tools: true, structuredOutput: true, contextWindow: 128_000, maxOutputTokens: 4_096 },
    },
  },
  tools: {
    search: tool({
      description: "Search the project notes; returns matching notes.",
      schema: z.object({ query: z.string().describe("what to look for") }),
      readOnly: true,
      run: ({ query }) => {
        const words = query.toLowerCase().split(/\W+/).filter((w) => w.length > 3);
        const hits = NOTES.filter((n) => words.some((w) => n.text.toLowerCase().includes(w)));
        return hits.length ? hits : NOTES.slice(0, 1);
      },
    }),
    read_repo: tool({
      description: "Read a text file of this repository by relative path.",
      schema: z.object({ path: z.string() }),
      readOnly: true,
      run: async ({ path }) => {
        const full = fileURLToPath(new URL(path, `file://${REPO_ROOT}`));
        if (!full.startsWith(REPO_ROOT)) throw new Error(`path ${path} is outside the repository`);
        return (await readFile(full, "utf8")).slice(0, 4_000);
      },
    }),
    lookup_user: tool({
      description: "Look up a customer by email.",
      schema: z.object({ email: z.string() }),
      readOnly: true,
      run: ({ email }) => ({ email, plan: email.endsWith("@bigco.com") ? "enterprise" : "team", tickets: 2 }),
    }),
  },
  agents: {
    research_agent: { model: "default", system: "You research the question and report one finding.", writes: "findings" },
    verifier_agent: { model: "default", system: "You check claims and report one critique.", writes: "critiques" },
    final_reviewer: { model: "default", system: "You weigh the findings against the critiques and give a verdict." },
  },
  defaultInputs: {
    research_review: { question: "Does a join after a fan-out run exactly once?" },
    support_agent: { question: "Hi, I'm ada@bigco.com and my API key stopped working." },
    map_reduce: { items: ["the superstep loop", "the checkpointer", "the join barrier"] },
  },
});
