/**
 * The docs stay true. docs/language.md: every `rag` block is a complete program that
 * compiles without errors, every `rag-graph` / `rag-node` block parses inside a graph / a
 * node, and together the examples use every item keyword, node kind and reducer. The same
 * holds for the `rag` / `rag-graph` / `rag-node` blocks of README.md and the other
 * docs/*.md (README's against examples/rag.config.ts, the registry its examples run with;
 * docs/diagnostics.md is generated, its examples show errors on purpose and
 * test/compiler/diagnostics-doc.test.ts keeps it). Every relative link of a tracked
 * Markdown file names a file or folder that exists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUILTIN_REDUCERS, canonicalReducer, compile, NODE_KINDS } from "../compiler/index.js";
import config from "../examples/rag.config.js";
import { parseRag } from "../grammar/index.js";
import { GRAPH_ITEM_WORDS, NODE_ITEM_WORDS } from "../grammar/rag/parser.js";
import { registryFromConfig } from "../stdlib/index.js";

const doc = readFileSync(new URL("../docs/language.md", import.meta.url), "utf8");
const blocks = [...doc.matchAll(/^```(rag|rag-graph|rag-node)\n([\s\S]*?)^```/gm)].map((m) => ({ kind: m[1], src: m[2], line: doc.slice(0, m.index).split("\n").length }));
const errors = (ds: readonly { severity: string; code: string; message: string; span: { start: { line: number } } }[]) =>
  ds.filter((d) => d.severity === "error").map((d) => `${d.code} line ${d.span.start.line}: ${d.message}`);

describe("docs/language.md", () => {
  it("has examples of every sort", () => {
    for (const k of ["rag", "rag-graph", "rag-node"]) expect(blocks.filter((b) => b.kind === k).length, k).toBeGreaterThanOrEqual(10);
  });

  for (const b of blocks) {
    it(`${b.kind} example at line ${b.line}`, () => {
      if (b.kind === "rag") {
        const r = compile(b.src, { file: `docs/language.md:${b.line}` });
        expect(errors(r.diagnostics)).toEqual([]);
        expect(r.value.blueprints.length).toBeGreaterThan(0);
      } else {
        const src = b.kind === "rag-graph" ? `graph g {\n${b.src}}` : `graph g {\nnode n {\n${b.src}}\n}`;
        expect(errors(parseRag(src).diagnostics)).toEqual([]);
      }
    });
  }

  it("shows every item keyword, node kind and reducer in an example", () => {
    const words = new Set(blocks.flatMap((b) => b.src.match(/[A-Za-z_]+/g) ?? []));
    const reducers = [...BUILTIN_REDUCERS].filter((r) => canonicalReducer(r) === r);
    expect([...GRAPH_ITEM_WORDS, ...NODE_ITEM_WORDS, ...NODE_KINDS, ...reducers].filter((w) => !words.has(w))).toEqual([]);
  });
});

const root = fileURLToPath(new URL("../", import.meta.url));
const read = (file: string) => readFileSync(join(root, file), "utf8");
const ragBlocks = (text: string) => [...text.matchAll(/^```(rag|rag-graph|rag-node)\n([\s\S]*?)^```/gm)].map((m) => ({ kind: m[1], src: m[2], line: text.slice(0, m.index).split("\n").length }));
const otherDocs = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md") && f !== "language.md" && f !== "diagnostics.md").map((f) => `docs/${f}`)];

describe("rag examples of README.md and docs/*.md", () => {
  const registry = registryFromConfig(config).view();
  for (const file of otherDocs) {
    for (const b of ragBlocks(read(file))) {
      it(`${file}:${b.line} (${b.kind})`, () => {
        if (b.kind === "rag") {
          const r = compile(b.src, { file: `${file}:${b.line}`, ...(file === "README.md" ? { registry } : {}) });
          expect(errors(r.diagnostics)).toEqual([]);
          expect(r.value.blueprints.length).toBeGreaterThan(0);
        } else {
          const src = b.kind === "rag-graph" ? `graph g {\n${b.src}}` : `graph g {\nnode n {\n${b.src}}\n}`;
          expect(errors(parseRag(src).diagnostics)).toEqual([]);
        }
      });
    }
  }
});

/** The Markdown files of the repository outside node_modules and dot folders. */
function markdownFiles(dir = ""): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) return e.name === "node_modules" || e.name.startsWith(".") || e.name === "dist" || e.name === "coverage" ? [] : markdownFiles(path);
    return e.name.endsWith(".md") ? [path] : [];
  });
}

describe("relative links in Markdown", () => {
  it("name files and folders that exist", () => {
    const broken: string[] = [];
    const files = markdownFiles();
    expect(files).toContain("docs/runtime.md");
    for (const file of files) {
      // Code blocks are blanked (lines kept): a `](x)` in an example is not a link.
      const text = read(file).replace(/^```[\s\S]*?^```/gm, (m) => m.replace(/[^\n]/g, " "));
      for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1];
        if (/^[a-z][a-z+.-]*:/i.test(target) || target.startsWith("#")) continue; // a URL or an anchor in the same file
        const path = decodeURIComponent(target.split("#")[0]);
        if (!existsSync(join(root, dirname(file), path))) broken.push(`${file}:${text.slice(0, m.index).split("\n").length}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
