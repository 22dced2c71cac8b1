/**
 * Input errors of `rag run` for people (issue 14 §4): "missing field", did-you-mean for a
 * misspelt key, the `@file` the input came from; never raw zod text.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ragIn, scratchProject } from "../helpers/cli.js";

const GRAPH = 'graph ask {\n  input {\n    request: string\n    count: number?\n  }\n  state { n: number = 0 }\n  start a\n  node a { kind set set { n: 1 } next END }\n}\n';

describe("rag run input errors", () => {
  it("names the missing field, suggests the misspelt key and the @file", async () => {
    const dir = scratchProject({ "ask.rag": GRAPH });
    writeFileSync(join(dir, "in.json"), '{ "reqest": "hello" }\n');
    const r = await ragIn(["run", "ask.rag", "--no-checkpoints", "--input", "@in.json"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: --input @in.json: the input of graph `ask` does not match its `input` block: missing field `request` (string); `reqest` is not a field of the input block: did you mean `request`?");
    expect(r.stderr).not.toContain("Invalid input");
    expect(r.stderr).not.toContain("received undefined");
  });

  it("says which field has the wrong type and what it got", async () => {
    const dir = scratchProject({ "ask.rag": GRAPH });
    const r = await ragIn(["run", "ask.rag", "--no-checkpoints", "--input", '{"request": "hi", "count": "3"}'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --input: the input of graph `ask` does not match its `input` block: field `count`: expected number, got string "3"');
  });

  it("without --input says none was given", async () => {
    const dir = scratchProject({ "ask.rag": GRAPH });
    const r = await ragIn(["run", "ask.rag", "--no-checkpoints"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: no --input was given: the input of graph `ask` does not match its `input` block: missing field `request` (string)");
  });

  it("a JSON syntax error in the @file names it", async () => {
    const dir = scratchProject({ "ask.rag": GRAPH });
    writeFileSync(join(dir, "bad.json"), "{ request: 1 }");
    const r = await ragIn(["run", "ask.rag", "--no-checkpoints", "--input", "@bad.json"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: --input @bad.json is not valid JSON");
  });

  it("warns for a misspelt optional field, which the input block check lets through as null", async () => {
    const dir = scratchProject({ "ask.rag": GRAPH });
    const r = await ragIn(["run", "ask.rag", "--no-checkpoints", "--input", '{"request": "hi", "cont": 3}'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("warning: the input's `cont` is not a field of graph `ask`'s `input` block and is ignored, so `count` will be null; did you mean `count`?\n");
    const exact = await ragIn(["run", "ask.rag", "--no-checkpoints", "--input", '{"request": "hi", "count": 3, "extra": 1}'], dir);
    expect([exact.code, exact.stderr]).toEqual([0, ""]);
  });

  it("JSON written as a JavaScript object says keys and strings need double quotes", async () => {
    const dir = scratchProject({ "ask.rag": GRAPH });
    const r = await ragIn(["run", "ask.rag", "--no-checkpoints", "--input", "{request: 'hi'}"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --input is not valid JSON: .*\(JSON needs double quotes around keys and strings: '\{"key": "value"\}'\)\n$/);
  });

  it("--resume with an unquoted key gets the same hint, not the one for a bare string", async () => {
    const dir = scratchProject({ "ask.rag": 'graph ask {\n  start q\n  node q { kind interrupt prompt "n?" resume { n: integer } next END }\n}\n' });
    const run = await ragIn(["run", "ask.rag"], dir);
    expect(run.code).toBe(3);
    const thread = /rag resume (\S+)/.exec(run.stdout)![1];
    const r = await ragIn(["resume", thread, "--resume", "{n: 1}"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("(JSON needs double quotes around keys and strings");
    expect(r.stderr).not.toContain("a string needs quotes");
    const word = await ragIn(["resume", thread, "--resume", "approve"], dir);
    expect(word.stderr).toContain(`(a string needs quotes: --resume '"approve"')`);
  });
});
