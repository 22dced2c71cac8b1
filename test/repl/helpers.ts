/**
 * Shared set-up for the `.ragsh` tests: a real registry (standard kinds, a scripted
 * model, zod-typed tools, an agent and a registered graph) and a session runner.
 */
import { compileGraph } from "../../compiler/index.js";
import { resolvePolicy, sessionPolicy, tool, type SessionPolicy } from "../../registry/index.js";
import { Session, type CellResult, type SessionOptions } from "../../repl/index.js";
import type { AnyEvent } from "../../repl/events.js";
import { scripted, standardRegistry } from "../../stdlib/index.js";
import { z } from "zod";

export const HELLO_GRAPH = `graph hello {
  state { greeting: string }
  input { name: string }
  start greet
  node greet { kind set set { greeting: "hello " + input.name } next END }
}`;

/** The registry the catalog examples and most tests run against. */
export function testRegistry(options: { replies?: Parameters<typeof scripted>[0]["rules"] } = {}) {
  const r = standardRegistry();
  const provider = scripted({
    name: "repl tests",
    rules: [
      ...(options.replies ?? []),
      { when: { contains: "COUNT:" }, reply: (req) => String((req.messages.at(-1)?.content.match(/error/g) ?? []).length) },
      { when: { contains: "JSON please" }, reply: { json: { ok: true, n: 3 } } },
      { when: { contains: "explode" }, reply: () => { throw new Error("model exploded"); } },
      { when: { agent: "researcher" }, reply: (req) => `researched: ${req.messages.at(-1)?.content}` },
      { reply: (req) => `echo: ${req.messages.at(-1)?.content}` },
    ],
  });
  r.registerModel("default", { provider, modelId: "scripted-default" });
  r.registerTool("search", tool({ description: "Search notes", schema: z.object({ query: z.string() }), readOnly: true, run: ({ query }) => [{ id: 1, text: `note about ${query}` }] }));
  r.registerTool("wait", tool({ description: "Waits", schema: z.object({ ms: z.number() }), run: ({ ms }, ctx) => new Promise((resolve, reject) => { const t = setTimeout(() => resolve("done"), ms); ctx.signal.addEventListener("abort", () => (clearTimeout(t), reject(ctx.signal.reason)), { once: true }); }) }));
  r.registerTool("broken", tool({ description: "Always fails", schema: z.object({}), run: () => { throw new Error("the tool is broken"); } }));
  r.registerTool("leaky", tool({ description: "Returns a getter", schema: z.object({}), run: () => ({ get secret() { return "host"; } }) }));
  r.registerTool("denied", tool({ description: "Denied", schema: z.object({}), approval: "deny", run: () => "never" }));
  r.registerTool("admin", tool({ description: "Privileged: only people's sessions may call it", schema: z.object({}), run: () => "admin ran" }));
  r.registerAgent("researcher", { model: "default", system: "You research." });
  // Sessions whose cells a model writes (author "model") may not call `admin`.
  r.policy = resolvePolicy({ name: "tests", untrustedAllow: { tools: ["search", "wait", "broken", "leaky", "denied"] } });
  const hello = compileGraph(HELLO_GRAPH, { file: "hello.rag" });
  if (!hello.value) throw new Error(hello.diagnostics.map((d) => d.message).join("; "));
  r.registerGraph("hello", hello.value);
  return r;
}

export interface Harness {
  readonly session: Session;
  readonly events: AnyEvent[];
  run(source: string): Promise<CellResult>;
}

/** A session over `testRegistry()` (or `options.registry`) that records its events. */
export function harness(options: Partial<SessionOptions> & { policy?: Partial<SessionPolicy> } = {}): Harness {
  const events: AnyEvent[] = [];
  const session = new Session({ registry: options.registry ?? testRegistry(), ...options, policy: sessionPolicy(options.policy), sink: (e) => (events.push(e), options.sink?.(e)) });
  return { session, events, run: (source) => session.runCell(source) };
}

/** Runs one cell in a fresh session and returns its result. */
export async function runOnce(source: string, options: Partial<SessionOptions> = {}): Promise<CellResult> {
  return harness(options).run(source);
}

/** The codes of a result's diagnostics. */
export const codes = (r: CellResult) => r.diagnostics.map((d) => d.code);
