/**
 * Red team round 10: a model-written script piped into `rag repl` ran with the person's
 * grants. `rag repl gen.ragsh` reads the script's `// rag:generated-by model` pragma and
 * runs it as a model's session (policy.untrustedAllow), but `rag repl < gen.ragsh` built
 * the prompt's session with no pragma check, and the prompt took colon commands from the
 * pipe: the script called a tool only people may call and `:approve`d a hash into
 * `.rag/approvals.json`. Now piped input's leading comment lines are judged as a file's
 * are (`isModelWritten`): model-written input runs as a model's session, and a person's
 * commands (`:approve`, `:resume`, `:save`) are refused (`Session.personCommand`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { PromptView, runPrompt } from "../../repl/prompt.js";
import { Session } from "../../repl/session.js";
import { root, scratchProject } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";
import { testRegistry } from "../repl/helpers.js";

const HASH = `sha256:${"ab".repeat(32)}`;
const PRAGMA = "// rag:generated-by model author=gpt\n";

/** A project whose policy lets people call `secret` and `open`, and model-written sessions only `open`. */
function project(): string {
  return scratchProject({
    "rag.config.ts": `import { defineConfig, tool, z } from ${JSON.stringify(join(root, "index.ts"))};
const secret = tool({ description: "writes", schema: z.object({}).passthrough(), run: () => "ran secret" });
const open = tool({ description: "reads", schema: z.object({}).passthrough(), run: () => "ran open" });
export default defineConfig({ tools: { secret, open }, policy: { name: "p", allow: { tools: ["open", "secret"] }, untrustedAllow: { tools: ["open"] } } });
`,
  });
}

/** `rag repl` with `input` piped into it, in `dir`. */
const piped = (dir: string, input: string) =>
  spawnSync(process.execPath, [join(root, "bin/rag.js"), "repl", "--config", join(dir, "rag.config.ts"), "--history", join(dir, "history")], { cwd: dir, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });

const approvals = (dir: string) => join(dir, ".rag", "approvals.json");

describe("model-written input piped into `rag repl` runs as `rag repl gen.ragsh` does", () => {
  it("the red team's script: `secret` is refused (untrustedAllow), the script stops, nothing is approved", () => {
    const dir = project();
    const r = piped(dir, `${PRAGMA}print(tool_call({tool: "secret", arguments: {}}))\n:approve ${HASH}\n`);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("E-ragsh-capability-denied");
    expect(r.stdout).not.toContain("ran secret");
    expect(r.stderr).toContain("note: standard input was written by a model");
    expect(existsSync(approvals(dir))).toBe(false);
  }, 90_000);

  it("its cells run under untrustedAllow, and its `:approve` is refused with a diagnostic (the approvals file is not written)", () => {
    const dir = project();
    const r = piped(dir, `${PRAGMA}\n// more comments\nprint(tool_call({tool: "open", arguments: {}}))\n:approve ${HASH}\nprint("never")\n`);
    expect(r.stdout).toContain("ran open");
    expect(r.stdout).toContain("error[E-ragsh-capability-denied]: `:approve` is a person's command");
    expect(r.stdout).not.toContain("never");
    expect(r.status).toBe(1);
    expect(existsSync(approvals(dir))).toBe(false);
  }, 90_000);

  it("a person's piped input (no pragma) keeps the person's grants and `:approve`", () => {
    const dir = project();
    const r = piped(dir, `// my cells\nprint(tool_call({tool: "secret", arguments: {}}))\n:approve ${HASH}\n`);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("ran secret");
    expect(r.stdout).toContain("review token:");
    expect(readFileSync(approvals(dir), "utf8")).toContain(HASH);
  }, 90_000);
});

describe("a person's commands in a session whose input a model writes", () => {
  /** Runs `lines` through the prompt of a session written by `author`; resolves with the exit status and the output. */
  async function prompt(author: "model" | "human", lines: string): Promise<{ status: number; text: string; session: Session }> {
    const written: string[] = [];
    const out = new Writable({ write: (chunk, _enc, cb) => (written.push(String(chunk)), cb()) });
    const session = new Session({ registry: testRegistry(), author });
    const input = new PassThrough();
    input.end(lines);
    const status = await runPrompt({ session, input, output: out, colors: false, stopAtFailure: false, errors: out }, new PromptView(out, false));
    return { status, text: written.join(""), session };
  }

  it("`:resume` and `:save` are refused too; the file is not written", async () => {
    const dir = scratchDir("rag-rt10-save-");
    const saved = join(dir, "out.ragsh");
    const r = await prompt("model", `let x = 1\n:resume t-1 "yes"\n:save ${saved}\n`);
    expect(r.text).toContain("error[E-ragsh-capability-denied]: `:resume` is a person's command");
    expect(r.text).toContain("error[E-ragsh-capability-denied]: `:save` is a person's command");
    expect(existsSync(saved)).toBe(false);
    expect(() => r.session.approve(HASH, "prompt")).toThrow("`:approve` is a person's command");
  });

  it("a person's session saves, and its `:resume` reaches the thread (a missing one is reported as such)", async () => {
    const dir = scratchDir("rag-rt10-save-");
    const saved = join(dir, "out.ragsh");
    const r = await prompt("human", `let x = 1\n:resume t-1 "yes"\n:save ${saved}\n`);
    expect(r.text).toContain("thread `t-1` has no checkpoint in this session");
    expect(readFileSync(saved, "utf8")).toContain("let x = 1");
  });
});
