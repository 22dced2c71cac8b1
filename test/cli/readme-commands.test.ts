/**
 * README.md's command table and the docs agree with `rag --help`: every command and
 * subcommand the program registers has a row (`| \`rag NAME …`) whose first cell names each
 * of its long flags, and every `--flag` written after `rag CMD [SUB]` in README.md or
 * docs/*.md (up to a backtick, `|` or `;`) is a flag that command has.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/program.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");

/** Every command path (`run`, `runs show`, `registry export`) with its long flags; `help` left out. */
function commands(c: Command = buildProgram(), prefix = ""): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of c.commands) {
    if (s.name() === "help") continue;
    const name = prefix ? `${prefix} ${s.name()}` : s.name();
    out.set(name, s.options.map((o) => o.long).filter((l): l is string => l !== undefined));
    for (const [k, v] of commands(s, name)) out.set(k, v);
  }
  return out;
}
const all = commands();

/** The first cell of the README table row for top-level command `name`. */
function rowOf(name: string): string | undefined {
  const line = readme.split("\n").find((l) => l.startsWith(`| \`rag ${name} `) || l.startsWith(`| \`rag ${name}\``));
  return line?.slice(2).split(/(?<!\\)\s\|\s/)[0];
}

describe("README's command table", () => {
  it("found the program's commands", () => {
    expect([...all.keys()]).toEqual(expect.arrayContaining(["run", "resume", "runs list", "runs fork", "registry export", "worker"]));
  });

  for (const [name, flags] of all) {
    if (name === "runs" || name === "registry") continue; // only subcommands (`runs` = `runs list`)
    it(`rag ${name}: a row naming every flag`, () => {
      const cell = rowOf(name.split(" ")[0]!);
      expect(cell, `no row for rag ${name}`).toBeDefined();
      if (name.includes(" ")) expect([`rag ${name}`, `rag ${name.replace(" ", " [")}]`].some((n) => cell!.includes(n)), `rag ${name} in its row`).toBe(true);
      expect(flags.filter((f) => f !== "--help" && !cell!.includes(f))).toEqual([]);
    });
  }
});

describe("flags the docs write after `rag CMD`", () => {
  it("exist on that command", () => {
    const files = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
    const unknown: string[] = [];
    for (const file of files) {
      readFileSync(join(root, file), "utf8").split("\n").forEach((line, i) => {
        for (const m of line.matchAll(/\brag ([a-z]+)(?: ([a-z]+))?((?:[^`|;\\]|\\\|)*)/g)) {
          let name = m[1]!;
          if (m[2] !== undefined && all.has(`${name} ${m[2]}`)) name = `${name} ${m[2]}`;
          const known = name === "runs" ? all.get("runs list") : all.get(name);
          if (!known) continue; // prose ("rag file", "rag flow.rag")
          for (const f of m[3]!.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)) if (f[1] !== "--help" && !known.includes(f[1]!)) unknown.push(`${file}:${i + 1}: rag ${name} ${f[1]}`);
        }
      });
    }
    expect(unknown).toEqual([]);
  });
});
