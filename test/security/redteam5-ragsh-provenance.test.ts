/**
 * Red team 5: a model-written `.ragsh` script reaching a person's trust. `rag repl
 * gen.ragsh` runs a script whose pragma says `// rag:generated-by model` as a model's
 * session (`policy.untrustedAllow`), but `:load gen.ragsh` — at the prompt, from a
 * person's script, in the studio's console — ran its cells with the loading person's
 * grants: a tool the policy grants only to people ran. Now loading a model-written script
 * lowers the session to a model's before its first cell, for the rest of the session (the
 * script's functions stay behind, and a person's later cell may call them), until a
 * person's `:reset` clears them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "../../registry/index.js";
import { loadFile, runScript, type LoadHooks } from "../../repl/directives.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { Project, Workspace } from "../../server/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";


const fired: string[] = [];
const secret = tool({ description: "writes", schema: z.object({}).passthrough(), run: () => (fired.push("secret"), "ran") });
const open = tool({ description: "reads", schema: z.object({}).passthrough(), run: () => (fired.push("open"), "ok") });
const config = { tools: { secret, open }, policy: { name: "p", allow: { tools: ["open", "secret"] }, untrustedAllow: { tools: ["open"] } } };
const registry = () => registryFromConfig(config as never);

const MODEL = "// rag:generated-by model author=gpt\n";
const CALL_SECRET = 'tool_call({tool: "secret", arguments: {}})';

/** A folder with `files`; returns its path. */
function folder(files: Record<string, string>): string {
  const dir = scratchDir("rt5-ragsh-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Hooks that run cells in `session` and collect their diagnostic codes. */
function hooks(session: Session, codes: string[], lowered: string[] = []): LoadHooks {
  return {
    cell: async (source) => {
      const r = await session.runCell(source);
      codes.push(...r.diagnostics.map((d) => d.code));
      return r.ok;
    },
    loaded: (_f, r) => (codes.push(...r.diagnostics.map((d) => d.code)), true),
    lowered: (f) => lowered.push(f),
    error: (m) => codes.push(m),
  };
}

describe("a model-written .ragsh loaded into a person's session runs as a model's", () => {
  const cases: { name: string; files: Record<string, string>; load: string }[] = [
    { name: ":load gen.ragsh at the prompt", files: { "gen.ragsh": `${MODEL}${CALL_SECRET}\n` }, load: "gen.ragsh" },
    { name: "a person's script that :loads it", files: { "main.ragsh": "x = 1\n// %%\n:load gen.ragsh\n", "gen.ragsh": `${MODEL}${CALL_SECRET}\n` }, load: "main.ragsh" },
    { name: "a model script whose own :reset line would raise it back", files: { "gen.ragsh": `${MODEL}y = 1\n// %%\n:reset\n// %%\n${CALL_SECRET}\n` }, load: "gen.ragsh" },
    { name: "a script a model script loads, without a pragma of its own", files: { "gen.ragsh": `${MODEL}1\n// %%\n:load inner.ragsh\n`, "inner.ragsh": `${CALL_SECRET}\n` }, load: "gen.ragsh" },
    { name: "a pragma after blank and comment lines, any letter case", files: { "gen.ragsh": `\n// helper\n// rag:generated-by Model\n${CALL_SECRET}\n` }, load: "gen.ragsh" },
  ];
  for (const c of cases)
    it(`${c.name}: the tool only people may use is refused, nothing ran`, async () => {
      fired.length = 0;
      const dir = folder(c.files);
      const session = new Session({ registry: registry() });
      const codes: string[] = [];
      const lowered: string[] = [];
      expect(await loadFile(session, join(dir, c.load), hooks(session, codes, lowered))).toBe(false);
      expect(fired).toEqual([]);
      expect(codes).toContain("E-ragsh-capability-denied");
      expect(lowered).toHaveLength(1);
      expect(session.author).toBe("model");
      // What the model's grant allows still works.
      expect((await session.runCell('tool_call({tool: "open", arguments: {}})')).ok).toBe(true);
    });

  it("it sticks: a person's next cell (calling a helper the script defined, or the tool itself) is a model's too, until the person's :reset", async () => {
    fired.length = 0;
    const dir = folder({ "gen.ragsh": `${MODEL}save = () => ${CALL_SECRET}\n` });
    const session = new Session({ registry: registry() });
    const codes: string[] = [];
    expect(await loadFile(session, join(dir, "gen.ragsh"), hooks(session, codes))).toBe(true);
    for (const cell of ["save()", CALL_SECRET]) {
      const r = await session.runCell(cell);
      expect(r.ok).toBe(false);
      expect(r.diagnostics[0]?.code).toBe("E-ragsh-capability-denied");
      expect(r.diagnostics[0]?.message).toMatch(/written by a model/);
    }
    // A graph the session defines now is a model's (review, untrustedAllow).
    const d = await session.runCell('graph_define({name: "g", source: "graph g { start a node a { next END } }"}).provenance.generatedBy');
    expect(d.value).toBe("model");
    expect(fired).toEqual([]);
    session.reset();
    expect(session.restoreTrust()).toBe(true);
    expect((await session.runCell(CALL_SECRET)).ok).toBe(true);
    expect(fired).toEqual(["secret"]);
  });

  it(":reset data gives the session back keeping the script's plain data; every function, and every value holding one, goes", async () => {
    fired.length = 0;
    const dir = folder({ "gen.ragsh": `${MODEL}results = {rows: [1, 2, {ok: true}], note: "done"}\n// %%\nn = 3\n// %%\nsave = () => ${CALL_SECRET}\n// %%\nhidden = {tools: [1, () => ${CALL_SECRET}]}\n// %%\nns = Math\n` });
    const session = new Session({ registry: registry() });
    const codes: string[] = [];
    expect(await loadFile(session, join(dir, "gen.ragsh"), hooks(session, codes))).toBe(true);
    const lines: string[] = [];
    const script = folder({ "mine.ragsh": ":reset data\n" });
    // A person's `:reset data` line (a script no model wrote) raises the session back.
    expect(await runScript(session, ":reset data\n", join(script, "mine.ragsh"), { ...hooks(session, codes), reset: (f) => lines.push(f) })).toBe(true);
    expect(lines).toHaveLength(1);
    expect(session.author).toBe("human");
    expect((await session.runCell("[results.rows[2].ok, results.note, n]")).value).toEqual([true, "done", 3]);
    for (const gone of ["save()", "hidden.tools[1]()", "ns"]) {
      const r = await session.runCell(gone);
      expect(r.ok, gone).toBe(false);
    }
    expect(fired).toEqual([]);
    expect((await session.runCell(CALL_SECRET)).ok).toBe(true);
    expect(fired).toEqual(["secret"]);
  });

  it("a model script's own :reset data line keeps the session lowered", async () => {
    fired.length = 0;
    const dir = folder({ "gen.ragsh": `${MODEL}x = 1\n// %%\n:reset data\n// %%\n${CALL_SECRET}\n` });
    const session = new Session({ registry: registry() });
    const codes: string[] = [];
    expect(await loadFile(session, join(dir, "gen.ragsh"), hooks(session, codes))).toBe(false);
    expect(codes).toContain("E-ragsh-capability-denied");
    expect(session.author).toBe("model");
    expect((await session.runCell("x")).value).toBe(1);
    expect(fired).toEqual([]);
  });

  it("graph runs the lowered session starts are limited to the model's grant (a person's .rag loaded before)", async () => {
    fired.length = 0;
    const dir = folder({ "mine.rag": 'graph mine { start a node a { kind tool tool "secret" next END } }\n', "gen.ragsh": `${MODEL}1\n` });
    const session = new Session({ registry: registry() });
    const codes: string[] = [];
    expect(await loadFile(session, join(dir, "mine.rag"), hooks(session, codes))).toBe(true);
    // Control: before the model's script, the person's session runs the graph and its tool.
    expect((await session.runCell('graph_run({graph: "mine", input: {}})')).ok).toBe(true);
    expect(fired).toEqual(["secret"]);
    fired.length = 0;
    expect(await loadFile(session, join(dir, "gen.ragsh"), hooks(session, codes))).toBe(true);
    const r = await session.runCell('graph_run({graph: "mine", input: {}})');
    expect(r.ok).toBe(false);
    expect(fired).toEqual([]);
  });

  it("the studio's console: :load of a model-written workspace script is refused the people-only tool; :reset gives the session back", async () => {
    fired.length = 0;
    const dir = folder({ "gen.ragsh": `${MODEL}${CALL_SECRET}\n` });
    const project = new Project(new Workspace(dir), { path: undefined, config: config as never, registry: registry() }, { approvals: join(dir, ".rag", "approvals.json") });
    try {
      const r = await project.replCell(":load gen.ragsh");
      expect(r.ok).toBe(false);
      expect(String(r.stdout)).toMatch(/written by a model/);
      expect(String(r.diagnostics)).toMatch(/E-ragsh-capability-denied/);
      expect(fired).toEqual([]);
      expect((await project.replCell(CALL_SECRET)).ok).toBe(false);
      expect(String((await project.replCell(":reset")).stdout)).toMatch(/yours again/);
      expect((await project.replCell(CALL_SECRET)).ok).toBe(true);
      expect(fired).toEqual(["secret"]);
    } finally {
      project.close();
    }
  });

  it("held: a script without the pragma, or saying `human`, is the person's; a person's :reset line raises a lowered session back", async () => {
    for (const text of [`${CALL_SECRET}\n`, `// rag:generated-by human\n${CALL_SECRET}\n`]) {
      fired.length = 0;
      const dir = folder({ "mine.ragsh": text });
      const session = new Session({ registry: registry() });
      expect(await loadFile(session, join(dir, "mine.ragsh"), hooks(session, []))).toBe(true);
      expect(fired).toEqual(["secret"]);
    }
    fired.length = 0;
    const dir = folder({ "gen.ragsh": `${MODEL}1\n` });
    const session = new Session({ registry: registry() });
    const main = `:load ${join(dir, "gen.ragsh")}\n// %%\n:reset\n// %%\n${CALL_SECRET}\n`;
    expect(await runScript(session, main, join(dir, "main.ragsh"), hooks(session, []))).toBe(true);
    expect(fired).toEqual(["secret"]);
  });

  it("held: a session that began as a model's is never raised by :reset", async () => {
    const session = new Session({ registry: registry(), author: "model" });
    session.reset();
    expect(session.restoreTrust()).toBe(false);
    expect(session.author).toBe("model");
    expect((await session.runCell(CALL_SECRET)).ok).toBe(false);
  });
});
