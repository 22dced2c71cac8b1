/**
 * `rag run --record FILE` / `--replay FILE` as users run them (the program bin/rag.js
 * runs, in-process): a
 * recorded run replays to the same output; a replay whose request was never recorded
 * fails with exit 1 and an error naming the node and the difference.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragIn, root } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const tmp = scratchDir("rag-cassette-cli-");

function rag(args: string[]) {
  // Checkpoints go to the temporary directory, never into the repository's examples/.rag.
  return ragIn([...args, "--checkpoints", join(tmp, "checkpoints.db")], root);
}
const last = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!);

describe("rag run --record / --replay", () => {
  const cassette = join(tmp, "support.json");

  it("records, replays to the same output, and names the node and the difference on a miss", async () => {
    const recorded = await rag(["run", "examples/support_agent.rag", "--json", "--record", cassette]);
    expect(recorded.code).toBe(0);
    expect(recorded.stderr).toContain("recorded 2 model calls to");
    const file = JSON.parse(readFileSync(cassette, "utf8"));
    expect(file.version).toBe(1);
    expect(file.entries.map((e: { node: string; model: string }) => [e.model, e.node])).toEqual([
      ["default", "agent"],
      ["default", "agent"],
    ]);

    const replayed = await rag(["run", "examples/support_agent.rag", "--json", "--replay", cassette]);
    expect(replayed.code).toBe(0);
    expect(last(replayed.stdout).output).toBe(last(recorded.stdout).output);

    const miss = await rag(["run", "examples/support_agent.rag", "--json", "--replay", cassette, "--input", '{"question": "Hi, I am bob@other.org"}']);
    expect(miss.code).toBe(1);
    const failed = last(miss.stdout);
    expect(failed.type).toBe("run_failed");
    expect(failed.error.node).toBe("agent");
    expect(failed.error.message).toMatch(/^replay: .*support\.json has no recorded reply for this request of node `agent` \(model `default`\); the closest recording \(#1, node `agent`\) differs at messages\[1\]\.content: recorded "Hi, I'm ada@bigco\.com/);
  });
});
