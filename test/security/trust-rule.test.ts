/**
 * One trust rule for `.rag` and `.ragsh` files (compiler/policy-view.ts `isUntrusted`).
 * The REPL lowered a session for a script whose pragma named anything but `human`, while
 * the compiler, the review gate and the runtime's bind check distrusted a blueprint only
 * when its `generatedBy` was in the policy's `untrusted` list (default `model`, `repl`): a
 * `.rag` file saying `// rag:generated-by some-new-model` compiled, bound tools the policy
 * grants only to people and ran unreviewed, while the same author's `.ragsh` ran as a
 * model's. Now both are untrusted for every name but a person's (`human`, `builder`); the
 * list only adds names.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compile, isUntrusted } from "../../compiler/index.js";
import { reviewStatus, tool } from "../../registry/index.js";
import { loadFile, type LoadHooks } from "../../repl/directives.js";
import { registryFromConfig, Session } from "../../repl/index.js";
import { CompiledGraph, ReviewRequiredError } from "../../runtime/index.js";
import { ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const fired: string[] = [];
const secret = tool({ description: "writes", schema: z.object({}).passthrough(), run: () => (fired.push("secret"), "ran") });
const open = tool({ description: "reads", schema: z.object({}).passthrough(), run: () => (fired.push("open"), "ok") });
/** A policy as configs wrote it when the list was the whole rule: `some-new-model` is not in it. */
const policy = (untrusted?: string[]) => ({ name: "p", allow: { tools: ["open", "secret"] }, ...(untrusted ? { untrusted } : {}), untrustedAllow: { tools: ["open"] }, requireReview: "untrusted" as const });
const registry = (untrusted: string[] | undefined = ["model", "repl"]) => registryFromConfig({ tools: { secret, open }, policy: policy(untrusted) } as never);

const pragma = (who: string) => `// rag:generated-by ${who} author=someone\n`;
/** A graph binding the tool the policy grants only to trusted blueprints. */
const BINDS_SECRET = 'graph g { start a channel messages messages node a { kind tool_executor tools ["secret"] next END } }\n';
/** A graph binding nothing: only the review gate can stop it. */
const BINDS_NOTHING = 'graph g { start a state { n: number = 0 } node a { kind set set { n: 1 } next END } }\n';
const CALL_SECRET = 'tool_call({tool: "secret", arguments: {}})\n';


function write(name: string, text: string): string {
  const dir = scratchDir("rag-trust-rule-");
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

/** What the compiler and the review gate make of a `.rag` file by `who`. */
function asRag(who: string, reg = registry()) {
  const bound = compile(pragma(who) + BINDS_SECRET, { file: "gen.rag", registry: reg.view() });
  const plain = compile(pragma(who) + BINDS_NOTHING, { file: "gen.rag", registry: reg.view() });
  const bp = plain.value.blueprints[0]!;
  let bind: unknown;
  try {
    new CompiledGraph(bp, { registry: reg });
  } catch (e) {
    bind = e;
  }
  return {
    denied: bound.diagnostics.some((d) => d.code === "E-rag-disallowed-capability"),
    reviewWarned: plain.diagnostics.some((d) => d.code === "W-rag-review-required"),
    status: reviewStatus(reg, bp),
    bindRefused: bind instanceof ReviewRequiredError,
  };
}

/** What `:load` of a `.ragsh` script by `who` does to a person's session. */
async function asRagsh(who: string, reg = registry()) {
  fired.length = 0;
  const session = new Session({ registry: reg });
  const codes: string[] = [];
  const lowered: string[] = [];
  const hooks: LoadHooks = {
    cell: async (source) => {
      const r = await session.runCell(source);
      codes.push(...r.diagnostics.map((d) => d.code));
      return r.ok;
    },
    loaded: () => true,
    lowered: (f) => lowered.push(f),
    error: (m) => codes.push(m),
  };
  await loadFile(session, write("gen.ragsh", pragma(who) + CALL_SECRET), hooks);
  return { lowered: lowered.length === 1, author: session.author, denied: codes.includes("E-ragsh-capability-denied"), ran: [...fired] };
}

describe("a .rag and a .ragsh by the same author are trusted alike", () => {
  for (const who of ["some-new-model", "gpt-5", "Model", "repl"])
    it(`\`${who}\` (not a person's name; the policy lists only model and repl): untrusted in both`, async () => {
      const rag = asRag(who);
      expect(rag.denied).toBe(true); // untrustedAllow applies
      expect(rag.reviewWarned).toBe(true);
      expect(rag.status).toMatchObject({ required: true, approved: false, untrusted: true });
      expect(rag.bindRefused).toBe(true);
      expect(await asRagsh(who)).toEqual({ lowered: true, author: "model", denied: true, ran: [] });
    });

  it("an unknown author is untrusted under a policy that leaves `untrusted` out, and with no policy at all", async () => {
    const reg = registry(undefined);
    expect(asRag("some-new-model", reg)).toMatchObject({ denied: true, reviewWarned: true, bindRefused: true });
    expect((await asRagsh("some-new-model", reg)).lowered).toBe(true);
    expect(isUntrusted(undefined, { generatedBy: "some-new-model" })).toBe(true);
    expect(isUntrusted(undefined, { generatedBy: 7 as never })).toBe(true);
  });

  for (const who of ["human", "HUMAN", "builder"])
    it(`\`${who}\`: trusted in both (the policy's allow, no review, the session stays a person's)`, async () => {
      const rag = asRag(who);
      expect(rag).toMatchObject({ denied: false, reviewWarned: false, bindRefused: false });
      expect(rag.status).toMatchObject({ required: false, approved: true, untrusted: false });
      expect(await asRagsh(who)).toEqual({ lowered: false, author: "human", denied: false, ran: ["secret"] });
    });

  it("the policy's list only adds: listing `builder` distrusts it in both", async () => {
    const reg = registry(["builder"]);
    expect(asRag("builder", reg)).toMatchObject({ denied: true, reviewWarned: true, bindRefused: true });
    expect(await asRagsh("builder", reg)).toEqual({ lowered: true, author: "model", denied: true, ran: [] });
    // Leaving model out of the list does not trust it.
    expect(asRag("model", reg)).toMatchObject({ denied: true, bindRefused: true });
    expect((await asRagsh("model", reg)).lowered).toBe(true);
  });
});

describe("the CLI: `rag run` and `rag repl` by the same unlisted author", () => {
  it("an unreviewed `some-new-model` .rag is refused and its .ragsh runs as a model's; `human` ones run", async () => {
    const dir = scratchDir("rag-trust-cli-");
    const config = join(dir, "rag.config.ts");
    writeFileSync(config, `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
const secret = tool({ description: "writes", schema: z.object({}).passthrough(), run: () => "ran secret" });
export default defineConfig({ tools: { secret }, policy: { name: "p", allow: { tools: ["secret"] }, untrusted: ["model", "repl"], untrustedAllow: { tools: [] }, requireReview: "untrusted" } });
`);
    for (const who of ["some-new-model", "human"]) {
      writeFileSync(join(dir, `${who}.rag`), pragma(who) + BINDS_NOTHING);
      writeFileSync(join(dir, `${who}.ragsh`), pragma(who) + "print(" + CALL_SECRET.trim() + ")\n");
    }
    const run = (who: string) => ragIn(["run", join(dir, `${who}.rag`), "--config", config], dir);
    const repl = (who: string) => ragIn(["repl", join(dir, `${who}.ragsh`), "--config", config], dir);

    const genRun = await run("some-new-model");
    expect(genRun.code).toBe(2);
    expect(genRun.stderr).toMatch(/needs review under policy `p`/);
    const genRepl = await repl("some-new-model");
    expect(genRepl.code).toBe(1);
    expect(genRepl.stderr).toContain("E-ragsh-capability-denied");
    expect(genRepl.stdout).not.toContain("ran secret");

    expect((await run("human")).code).toBe(0);
    expect(await repl("human")).toMatchObject({ code: 0, stdout: "ran secret\n" });
  }, 60_000);
});
