/**
 * Seed inputs for the fuzzer: the examples, the parser and diagnostics goldens, and
 * every source of the compatibility corpus (`../shared/compat`, read in place; skipped
 * when it is not there).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The repository's own seeds followed by the compatibility corpus's sources (when present). */
export function seedCorpus(): string[] {
  const out: string[] = [];
  for (const dir of ["examples", "test/grammar/golden", "test/compiler/golden"]) {
    // Files only: `rag run` inside examples/ leaves its checkpoints in an examples/.rag/ folder.
    for (const f of readdirSync(root + dir, { withFileTypes: true }).filter((x) => x.isFile() && x.name.endsWith(".rag")).map((x) => x.name).sort()) out.push(readFileSync(`${root}${dir}/${f}`, "utf8"));
  }
  out.push(...compatSources());
  return out;
}

/** Every `.rag` source of `../shared/compat/tinyagents/corpus.json`; empty when `../shared` is absent. */
export function compatSources(): string[] {
  const compat = root + "../shared/compat/tinyagents/corpus.json";
  return existsSync(compat) ? (JSON.parse(readFileSync(compat, "utf8")) as { source: string }[]).map((c) => c.source) : [];
}
