/**
 * The terminal prompt's rough edges (issue 14 §4): completion of built-ins before the
 * first cell, `r.st<Tab>` completing properties, Ctrl-C at an empty prompt arming the
 * exit instead of leaving (a second Ctrl-C leaves), and the `:resume` quoting hint.
 * readline runs in terminal mode over a stream pair.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { complete, PromptView, runPrompt } from "../../repl/prompt.js";
import { Session } from "../../repl/session.js";
import { standardRegistry } from "../../stdlib/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

function terminal() {
  const input = new PassThrough();
  const chunks: string[] = [];
  const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
  output.on("data", (d: Buffer) => chunks.push(d.toString()));
  return { input, output, text: () => chunks.join("") };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

/** Waits until the terminal shows `text` (polled; a loaded CI machine may take seconds to run a cell). */
async function shows(t: { text: () => string }, text: string): Promise<void> {
  for (const end = Date.now() + 15_000; !t.text().includes(text) && Date.now() < end; ) await tick();
  expect(t.text()).toContain(text);
}

describe("prompt completion", () => {
  it("completes built-ins before the first cell, and properties after a dot", async () => {
    const session = new Session({ registry: standardRegistry() });
    expect(complete(session, "tool_c")[0]).toContain("tool_call");
    expect(complete(session, "model_q")[0]).toEqual(expect.arrayContaining(["model_query", "model_query_batched"]));
    expect((await session.runCell('let r = {status: "ok", steps: 3}')).ok).toBe(true);
    expect(complete(session, "r.st")).toEqual([["status", "steps"], "st"]);
    expect(complete(session, "let n = r.")[0]).toEqual(expect.arrayContaining(["status", "steps"]));
    expect(complete(session, "r.st")[0]).not.toContain("string");
  });

  it("completes through a path of keys and indexes (`r[0].te`, `r.items[1][\"a b\"].`), reading data only", async () => {
    const session = new Session({ registry: standardRegistry() });
    expect((await session.runCell('let r = [{text: "a", tags: []}, {items: [1, {"a b": {deep: 1, deeper: 2}}]}]')).ok).toBe(true);
    expect(complete(session, "r[0].te")).toEqual([["text"], "te"]);
    expect(complete(session, "r[0].ta")).toEqual([["tags"], "ta"]);
    expect(complete(session, 'r[1].items[1]["a b"].dee')).toEqual([["deep", "deeper"], "dee"]);
    expect(complete(session, "r[0].tags.le")[0]).toContain("length");
    // a path that leads nowhere (out of range, a missing key, inherited names) completes nothing
    expect(complete(session, "r[5].te")).toEqual([[], "te"]);
    expect(complete(session, "r[0].nope.x")).toEqual([[], "x"]);
    expect(complete(session, "r[0].constructor.na")).toEqual([[], "na"]);
  });
});

describe("prompt keys", () => {
  it("Ctrl-C at an empty prompt asks again; a second Ctrl-C leaves. Ctrl-C on a typed line clears it", async () => {
    const t = terminal();
    const session = new Session({ registry: standardRegistry() });
    const done = runPrompt({ session, input: t.input, output: t.output, colors: false }, new PromptView(t.output, false));
    await tick();
    t.input.write("1 + ");
    await tick();
    t.input.write("\x03"); // clears the line, stays
    await tick();
    t.input.write("\x03"); // empty prompt: arms
    await shows(t, "(press Ctrl-C again or Ctrl-D to leave)");
    t.input.write("2 * 21\r"); // input disarms
    await shows(t, "42");
    t.input.write("\x03");
    await tick();
    let left = false;
    void done.then(() => (left = true));
    await tick();
    expect(left).toBe(false);
    t.input.write("\x03");
    expect(await done).toBe(0);
  });

  it(":resume with an unquoted answer says how to quote it", async () => {
    const t = terminal();
    const session = new Session({ registry: standardRegistry() });
    const done = runPrompt({ session, input: t.input, output: t.output, colors: false }, new PromptView(t.output, false));
    await tick();
    t.input.write(":resume t1 approve\r");
    await shows(t, '(a text answer needs JSON quotes: :resume t1 "approve")');
    t.input.write("\x04");
    expect(await done).toBe(0);
  });
});

describe("prompt history", () => {
  it("keeps a multi-line cell as one entry, in the file too", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const historyFile = join(scratchDir("rag-hist-"), "history");
    const t = terminal();
    const session = new Session({ registry: standardRegistry() });
    const done = runPrompt({ session, input: t.input, output: t.output, colors: false, historyFile }, new PromptView(t.output, false));
    await tick();
    t.input.write("let xs = [\r");
    await tick();
    t.input.write("  1, 2\r");
    await tick();
    t.input.write("]\r");
    await tick();
    t.input.write("xs.length\r");
    await tick();
    await tick();
    t.input.write("\x04");
    expect(await done).toBe(0);
    const lines = readFileSync(historyFile, "utf8").trim().split("\n");
    expect(lines).toEqual(['#ragsh-cell "let xs = [\\n  1, 2\\n]"', "xs.length"]);
  });
});

describe("prompt :run of a graph that pauses", () => {
  it("shows the pending interrupt and how to answer it, then :resume completes it", async () => {
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const file = join(scratchDir("rag-run-"), "approval.rag");
    writeFileSync(file, 'graph approval {\n  start review\n  state { decision: any }\n  node review {\n    kind interrupt\n    prompt "Publish?"\n    options ["approve", "reject"]\n    writes decision\n    routes {\n      approve -> END\n      reject -> END\n    }\n  }\n}\n');
    const t = terminal();
    const session = new Session({ registry: standardRegistry() });
    const done = runPrompt({ session, input: t.input, output: t.output, colors: false }, new PromptView(t.output, false));
    await tick();
    t.input.write(`:load ${file}\r`);
    await tick();
    t.input.write(":run approval {}\r");
    await shows(t, "answer with");
    const text = t.text();
    expect(text).toMatch(/⏸ paused on thread (\S+), waiting for 1 answer/);
    expect(text).toContain('review: Publish?  options: approve | reject');
    const thread = /paused on thread (\S+),/.exec(text)![1];
    expect(text).toContain(`answer with: :resume ${thread} "approve"`);
    expect(text).not.toContain('status: "interrupted"');
    t.input.write(`:resume ${thread} "approve"\r`);
    await shows(t, "completed");
    t.input.write("\x04");
    expect(await done).toBe(0);
  });
});
