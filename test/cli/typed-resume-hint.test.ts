/**
 * The printed resume command for an interrupt with `resume { … }` (issue 15, authoring
 * round 2): it said `--resume '<value>'`, so a person had to read the .rag file to learn
 * the answer's shape. It now prints an answer of the declared type (with `choice` when
 * the node also has options), and that exact command resumes the run.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragIn } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-typed-resume-");
writeFileSync(join(dir, "rag.config.ts"), `export default { models: {} };\n`);

/** Writes `<name>.rag` and runs it to its question: the run, its checkpoint file, and the thread the printed hint names. */
async function runToQuestion(name: string, source: string) {
  const file = join(dir, `${name}.rag`);
  writeFileSync(file, source);
  const cp = join(dir, `${name}.db`);
  const run = await ragIn(["run", file, "--checkpoints", cp], dir);
  const thread = /rag resume (\S+)/.exec(run.stdout)?.[1];
  if (!thread) throw new Error(`no resume hint in: ${run.stdout}${run.stderr}`);
  return { run, cp, thread };
}

describe("rag run: the resume hint of a typed interrupt", () => {
  it("prints an answer of the `resume` type that resumes as printed", async () => {
    const file = join(dir, "edit.rag");
    writeFileSync(file, `graph edit {
  start review
  state { draft: string, decision: string }
  node review {
    kind interrupt
    prompt "Edit the draft"
    resume { text: string, decision: "accept" | "redraft", rounds: integer(1..3), notes: string? }
    writes { draft: result.text, decision: result.decision }
    next END
  }
}
`);
    const run = await ragIn(["run", file, "--checkpoints", join(dir, "cp.db")], dir);
    expect(run.code).toBe(3);
    const line = /rag resume (\S+) --checkpoints \S+ --resume '(.*)'/.exec(run.stdout);
    expect(line?.[2]).toBe('{"text":"…","decision":"accept","rounds":1}');
    const resumed = await ragIn(["resume", line![1], "--checkpoints", join(dir, "cp.db"), "--resume", line![2]], dir);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("decision: accept");
  });

  it("a wrong answer is refused in one line, without a stack; the question stays open for a right one", async () => {
    const { cp, thread } = await runToQuestion("score", `graph score {
  start review
  state { score: number }
  node review {
    kind interrupt
    prompt "Score it"
    resume { score: number(0..1) }
    writes { score: result.score }
    next END
  }
}
`);
    const bad = await ragIn(["resume", thread, "--checkpoints", cp, "--resume", '{"score":5}'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/graph `score`, interrupt node `review`: the answer does not match its `resume` type: field `score`/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const good = await ragIn(["resume", thread, "--checkpoints", cp, "--resume", '{"score":0.5}'], dir);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
  });

  it("with options too, the answer carries `choice`", async () => {
    const file = join(dir, "pick.rag");
    writeFileSync(file, `graph pick {
  start ask
  node ask { kind interrupt options ["yes", "no"] resume { note: string } routes { yes -> END  no -> END } }
}
`);
    const run = await ragIn(["run", file, "--checkpoints", join(dir, "cp2.db")], dir);
    expect(run.stdout).toMatch(/--resume '\{"choice":"yes","note":"…"\}'/);
  });
});

describe("rag resume with no answer while a question is pending", () => {
  it("refuses (exit 2), nothing run, and prints the command that answers it", async () => {
    const { run, cp, thread } = await runToQuestion("ask", `graph ask {
  start review
  state { decision: string }
  node review {
    kind interrupt
    prompt "Ship it?"
    options ["ship", "hold"]
    writes decision
    next END
  }
}
`);
    expect(run.code).toBe(3);
    const bare = await ragIn(["resume", thread, "--checkpoints", cp], dir);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("is waiting for an answer");
    const line = /rag resume (\S+) --checkpoints \S+ --resume '(.*)'/.exec(bare.stderr);
    expect(line?.[2]).toBe('"ship"');
    const resumed = await ragIn(["resume", thread, "--checkpoints", cp, "--resume", line![2]!], dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("decision: ship");
  });
});
