/**
 * Rendered `.ragsh` diagnostics, as people see them at the prompt and as `rag repl
 * FILE.ragsh` prints them (same renderer as `.rag` files): each test/repl/golden/*.ragsh
 * runs as one cell in a session and its diagnostics are compared with NAME.diagnostics.txt.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderDiagnostics } from "../../compiler/index.js";
import { LineIndex } from "../../grammar/span.js";
import { expectGolden } from "../helpers/golden.js";
import { harness } from "./helpers.js";

const dir = new URL("./golden/", import.meta.url).pathname;

describe(".ragsh diagnostics goldens", () => {
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ragsh"))) {
    it(f, async () => {
      const src = readFileSync(dir + f, "utf8");
      const r = await harness().session.runCell(src, { file: f });
      expect(r.ok).toBe(false);
      expectGolden(dir + f.replace(/\.ragsh$/, ".diagnostics.txt"), renderDiagnostics(r.diagnostics, { lines: new LineIndex(src), file: f }) + "\n");
    });
  }
});
