/**
 * A run waiting on a promise that can never settle (a provider's call with no socket or
 * timer behind it): Node ends the process once nothing can wake it. `rag run` then
 * stopped mid-step with status 0 and no word, as if it had finished; now it says so on
 * stderr and exits 70, and the thread is left as a crashed one (`rag resume` goes on).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rag, root, scratchProject } from "../helpers/cli.js";

const config = `import { defineConfig } from ${JSON.stringify(join(root, "index.ts"))};
export default defineConfig({
  models: {
    m: {
      provider: {
        name: "stuck",
        async chat() {
          if (process.env.STUCK) await new Promise(() => {});
          return { message: { content: "fine" }, usage: { inputTokens: 1, outputTokens: 1 }, finishReason: "stop" };
        },
      },
    },
  },
});
`;
const graph = 'graph g {\n  start a\n  state { out: string }\n  node a { model "m" prompt "hi" writes out next END }\n}\n';

describe("a run whose model call never settles", () => {
  it("exits 70 with one line saying why (it exited 0 mid-step), and resumes afterwards", () => {
    const dir = scratchProject({ "rag.config.ts": config, "g.rag": graph });
    const r = rag(["run", "g.rag", "--thread", "t"], dir, { STUCK: "1" });
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^error: the command stopped before it finished: it was waiting for something that can never end .*`rag resume THREAD` continues it\)\n$/m);
    // In JSON mode, one error line on stdout (code `stalled`), nothing on stderr.
    const json = rag(["run", "g.rag", "--thread", "t2", "--json"], dir, { STUCK: "1" });
    expect(json.code).toBe(70);
    expect(JSON.parse(json.stdout.trim().split("\n").at(-1)!)).toMatchObject({ error: { code: "stalled" } });
    expect(json.stderr).toBe("");
    const resumed = rag(["resume", "t", "--json"], dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('"type":"run_completed"');
  }, 60_000);
});
