/**
 * Answer checks by question type (`registry/answer-check.ts`): a node kind's question shape
 * is judged by the check its package registers (`Registry.registerAnswerCheck`), where a
 * resume is accepted — the runtime knows no payload shape itself. The stdlib registers the
 * tool-approval check that way (its behaviour: `test/authoring/constructs.test.ts`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidResumeError, MemoryCheckpointer } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { buildGraph } from "../helpers/run-graph.js";

const SRC = `graph g {
  state { color: string = "" }
  start ask
  node ask { kind paint writes { color: result } next END }
}`;

function painter(check: boolean) {
  const registry = standardRegistry();
  const seen: unknown[] = [];
  registry.registerNodeKind("paint", async (task) => {
    const answer = task.interrupt<unknown>({ type: "pick_color", colors: ["red", "blue"] });
    seen.push(answer);
    return { result: String(answer) };
  });
  if (check) registry.registerAnswerCheck("pick_color", (q, answer, { threadId }) => (answer === "red" || answer === "blue" ? undefined : `node \`${q.node}\` (thread \`${threadId}\`, interrupt \`${q.id}\`) takes red or blue, not ${JSON.stringify(answer)}`));
  const { graph } = buildGraph(SRC, { registry, checkpointer: new MemoryCheckpointer() });
  return { graph, seen };
}

describe("answer checks registered by payload type", () => {
  it("refuse a bad answer before it is recorded: the question stays open, the node never sees it", async () => {
    const { graph, seen } = painter(true);
    expect((await graph.invoke({}, { threadId: "t" })).status).toBe("interrupted");
    const refused = await graph.resume("t", { value: "green" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidResumeError);
    expect((refused as Error).message).toBe('node `ask` (thread `t`, interrupt `1.0#0`) takes red or blue, not "green"');
    expect(seen).toEqual([]);
    const s = await graph.getState("t");
    expect(s?.status).toBe("interrupted");
    expect(s?.interrupts.map((i) => i.id)).toEqual(["1.0#0"]);
    const done = await graph.resume("t", { value: "blue" });
    expect(done.state).toEqual({ color: "blue" });
  });

  it("without a check for the type, the answer goes to the node as given", async () => {
    const { graph, seen } = painter(false);
    await graph.invoke({}, { threadId: "t" });
    expect((await graph.resume("t", { value: "green" })).state).toEqual({ color: "green" });
    expect(seen).toEqual(["green"]);
  });

  it("a check that throws refuses the answer with InvalidResumeError; the question stays open", async () => {
    const registry = standardRegistry();
    registry.registerNodeKind("paint", async (task) => ({ result: String(task.interrupt<unknown>({ type: "pick_color" })) }));
    registry.registerAnswerCheck("pick_color", () => {
      throw new Error("checker broke");
    });
    const { graph } = buildGraph(SRC, { registry, checkpointer: new MemoryCheckpointer() });
    expect((await graph.invoke({}, { threadId: "t" })).status).toBe("interrupted");
    const refused = await graph.resume("t", { value: "red" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidResumeError);
    expect((refused as Error).message).toMatch(/could not be checked \(checker broke\)/);
    expect((await graph.getState("t"))?.interrupts).toHaveLength(1);
  });

  it("the runtime knows no stdlib question shape: tool_approval is named only in stdlib/", () => {
    const dir = new URL("../../runtime/", import.meta.url).pathname;
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    expect(files.filter((f) => readFileSync(join(dir, f), "utf8").includes("tool_approval"))).toEqual([]);
    expect(standardRegistry().answerChecks.has("tool_approval")).toBe(true);
  });
});
