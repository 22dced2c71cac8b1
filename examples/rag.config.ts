/**
 * Registry for the examples in this folder. The model `default` is the `scripted`
 * provider: deterministic replies from the script below, so the examples run offline
 * and give the same result every time. To use a real model instead, replace it with
 * e.g. `{ provider: "openai", model: "gpt-4o-mini" }` (needs OPENAI_API_KEY, or a
 * `baseURL` for a local OpenAI-compatible server).
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { defineConfig, scripted, tool, z } from "ragraph/config";

/** A tiny fixed knowledge base for the `search` tool. */
const NOTES = [
  { id: "runtime.md#2", text: "A join after a fan-out runs exactly once, after every branch of that fan-out has ended." },
  { id: "runtime.md#1", text: "Each superstep runs its tasks against one frozen snapshot and applies all writes at the barrier." },
  { id: "language.md#2.2", text: "The messages reducer merges by message id; append accepts one item or a list per write." },
];

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

const lastText = (req: { messages: readonly { role: string; content: string }[] }, role: string) =>
  [...req.messages].reverse().find((m) => m.role === role)?.content ?? "";

/** What the CodeAct example's scripted model writes, one reply per step (examples/codeact.rag). */
const CODEACT_STEPS = [
  "I will build a one-node graph for this.\n```ragsh\n" +
    'let source = `graph summarize {\n  input { text: string }\n  state { summary: string }\n  start summarize_text\n  node summarize_text {\n    kind model\n    model "default"\n    prompt "Summarize in one line: {{ input.text }}"\n    writes sumary\n    next END\n  }\n}`\n' +
    'let draft = graph_define({name: "summarize", source})\nlet check = graph_validate(draft)\nprint(check.rendered)\n```',
  "The diagnostic says `sumary` is a typo. Fixing it, then compiling, registering and running.\n```ragsh\n" +
    'source = source.replace("writes sumary", "writes summary")\ndraft = graph_define({name: "summarize", source})\nprint("valid:", graph_validate(draft).ok)\n' +
    'let compiled = graph_compile(draft)\ngraph_register({graph: compiled})\nlet out = graph_run({graph: "summarize", input: {text: context.task}})\nprint(out.state.summary)\n```',
  "```ragsh\nanswer({summary: out.state.summary, graph: compiled.hash})\n```",
];

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
          // codeact: the model writes .ragsh; step 1 proposes a graph with a typo and reads the
          // diagnostic, step 2 fixes it and runs the graph, step 3 answers.
          { when: { node: "coder", turn: 0 }, reply: CODEACT_STEPS[0] },
          { when: { node: "coder", turn: 1 }, reply: CODEACT_STEPS[1] },
          { when: { node: "coder", turn: 2 }, reply: CODEACT_STEPS[2] },
          { when: { node: "summarize_text" }, reply: (req) => `One line: ${lastText(req, "user").replace(/^Summarize in one line: /, "").split(".")[0]}.` },
          // .ragsh examples: chunk notes (rlm.ragsh) and their combination.
          { when: { contains: "Count the errors in this log chunk" }, reply: (req) => String((lastText(req, "user").match(/ERROR/g) ?? []).length) },
          { when: { contains: "Name the most frequent error" }, reply: "timeout" },
          // map_reduce: one summary per item, then a combined one.
          { when: { node: "worker" }, reply: (req) => `summary of ${lastText(req, "user").replace(/^Summarize: /, "")}` },
          { when: { node: "reduce" }, reply: (req) => `Combined ${JSON.parse(lastText(req, "user").replace(/^Combine these summaries: /, "")).length} summaries.` },
        ],
      }),
      capabilities: { tools: true, structuredOutput: true, contextWindow: 128_000, maxOutputTokens: 4_096 },
      // A nominal price (gpt-4o-mini's), so the card's `budget { usd: … }` example runs and
      // runs print a cost; the scripted provider itself costs nothing.
      price: { inputPerMTok: 0.15, outputPerMTok: 0.6 },
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
    // The grammar card's refund example (`rag spec`) binds these two; `refund` changes nothing real.
    lookup_order: tool({
      description: "Look up an order by id.",
      schema: z.object({ id: z.string() }),
      readOnly: true,
      run: ({ id }) => ({ id, paid: 30, currency: "EUR" }),
    }),
    refund: tool({
      description: "Refund an order (demo: records nothing).",
      schema: z.object({ id: z.string(), amount: z.number().positive() }),
      run: ({ id, amount }) => `refunded ${amount} on ${id} (demo)`,
    }),
  },
  agents: {
    research_agent: { model: "default", system: "You research the question and report one finding.", writes: "findings" },
    verifier_agent: { model: "default", system: "You check claims and report one critique.", writes: "critiques" },
    final_reviewer: { model: "default", system: "You weigh the findings against the critiques and give a verdict." },
  },
  // Sessions (rag repl, repl_agent nodes): graphs a model writes may be registered
  // without a review token here, so the CodeAct demo runs end to end. The default
  // (true) requires a reviewer's approval of the graph's hash first.
  repl: { reviewGeneratedGraphs: false },
  defaultInputs: {
    codeact: { task: "Summarize: joins run once after every branch of a fan-out ends. The rest is detail." },
    research_review: { question: "Does a join after a fan-out run exactly once?" },
    support_agent: { question: "Hi, I'm ada@bigco.com and my API key stopped working." },
    map_reduce: { items: ["the superstep loop", "the checkpointer", "the join barrier"] },
  },
});
