/**
 * Red team 7: a person's `:reset` in the studio's console while a model-written script
 * is still running. `POST /api/repl` ran `:reset` (and `:load`) at once, beside the cells
 * waiting in the session's queue: a `:reset` sent while a model-written script's cell
 * waited on a capability raised the session back to the person's trust mid-script, so the
 * rest of that cell and every later cell of the script ran with the person's grants (a
 * tool the policy gives only to people ran), and `:reset data` kept a variable the cell
 * then rebound to one of its functions. Every console request now waits its turn: a
 * `:load` holds the session until its script is done, and a `:reset` comes after it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { Project, Workspace } from "../../server/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";


const fired: string[] = [];
let entered: () => void = () => undefined;
let release: () => void = () => undefined;
const wait = tool({
  description: "waits until the test releases it",
  schema: z.object({}).passthrough(),
  run: () =>
    new Promise<string>((done) => {
      release = () => done("released");
      entered();
    }),
});
const secret = tool({ description: "people only", schema: z.object({}).passthrough(), run: () => (fired.push("secret"), "ran") });
const config = { tools: { wait, secret }, policy: { name: "p", allow: { tools: ["wait", "secret"] }, untrustedAllow: { tools: ["wait"] } } };

const MODEL = "// rag:generated-by model\n";
const WAIT = 'tool_call({tool: "wait", arguments: {}})';
const SECRET = 'tool_call({tool: "secret", arguments: {}})';

/** A project over a workspace holding `gen.ragsh` = `script`. */
function project(script: string): Project {
  const dir = scratchDir("rt7-reset-");
  writeFileSync(join(dir, "gen.ragsh"), script);
  return new Project(new Workspace(dir), { path: undefined, config: config as never, registry: registryFromConfig(config as never) }, { approvals: join(dir, ".rag", "approvals.json") });
}

/** Sends `:load gen.ragsh`, then `reset` once the script's cell waits in the `wait` tool; returns both replies. */
async function resetMidScript(p: Project, reset: string): Promise<[Record<string, unknown>, Record<string, unknown>]> {
  const inTool = new Promise<void>((r) => (entered = r));
  const load = p.replCell(":load gen.ragsh");
  await inTool;
  const resetting = p.replCell(reset);
  // Give a reset that does not wait its turn every chance to land before the cell goes on.
  await new Promise((r) => setTimeout(r, 20));
  release();
  return [await load, await resetting];
}

describe("a person's :reset while a model-written script runs in the studio's console", () => {
  it("the script's later cells still run as a model's: the people-only tool is refused", async () => {
    fired.length = 0;
    const p = project(`${MODEL}${WAIT}\n// %%\n${SECRET}\n`);
    try {
      const [load, reset] = await resetMidScript(p, ":reset");
      expect(fired).toEqual([]);
      expect(load.ok).toBe(false);
      expect(String(load.diagnostics)).toMatch(/E-ragsh-capability-denied/);
      // The reset came after the script, and gave the session back.
      expect(String(reset.stdout)).toMatch(/yours again/);
      expect((await p.replCell(SECRET)).ok).toBe(true);
      expect(fired).toEqual(["secret"]);
    } finally {
      p.close();
    }
  });

  it("the rest of the cell that was waiting runs as a model's", async () => {
    fired.length = 0;
    const p = project(`${MODEL}${WAIT}\n${SECRET}\n`);
    try {
      const [load] = await resetMidScript(p, ":reset");
      expect(fired).toEqual([]);
      expect(String(load.diagnostics)).toMatch(/E-ragsh-capability-denied/);
    } finally {
      p.close();
    }
  });

  it(":reset data keeps no function the waiting cell binds to a kept name afterwards", async () => {
    fired.length = 0;
    const p = project(`${MODEL}keep = 1\n// %%\n${WAIT}\nkeep = () => ${SECRET}\n`);
    try {
      const [load, reset] = await resetMidScript(p, ":reset data");
      expect(load.ok).toBe(true);
      expect(String(reset.stdout)).toMatch(/yours again/);
      const r = await p.replCell("keep()");
      expect(r.ok).toBe(false);
      expect(fired).toEqual([]);
    } finally {
      p.close();
    }
  });

  it("held: concurrent requests past the queue's depth are refused with 429 repl_busy while a script runs", async () => {
    const p = project(`${MODEL}${WAIT}\n`);
    try {
      const inTool = new Promise<void>((r) => (entered = r));
      const load = p.replCell(":load gen.ragsh");
      await inTool;
      const waiting = [p.replCell("1"), p.replCell("2"), p.replCell("3")];
      await expect(p.replCell("4")).rejects.toMatchObject({ code: "repl_busy" });
      release();
      expect((await load).ok).toBe(true);
      expect((await Promise.all(waiting)).map((r) => r.value)).toEqual([1, 2, 3]);
    } finally {
      p.close();
    }
  });
});
