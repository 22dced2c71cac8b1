/**
 * Red team 5: files and model text the CLI and CodeAct read — `.env`, `rag init`'s merged
 * files, fenced blocks of a model's reply. Each found case hung or stalled the process,
 * or wrote outside the project; each now ends at once with one line (or runs linear).
 * Commands that could block are run as child processes with a timeout.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractSource } from "../../cli/author-prompt.js";
import { extractBlocks } from "../../repl/codeact.js";
import { rag as ragCli } from "../helpers/cli.js";
import { scratchDir } from "../helpers/scratch-dirs.js";


/** `rag ARGS` in `cwd` as a child process, killed after 20 s; its exit code and output (stdout, then stderr). */
function rag(args: readonly string[], cwd: string) {
  const r = ragCli(args, cwd, {}, 20_000);
  return { code: r.code, out: r.stdout + r.stderr };
}

const mkfifo = (path: string) => execFileSync("mkfifo", [path]);

describe(".env beside the config", () => {
  const project = (make: (dir: string) => void) => {
    const dir = scratchDir("rt5-env-");
    writeFileSync(join(dir, "rag.config.ts"), "export default {};\n");
    writeFileSync(join(dir, "a.rag"), "graph g { start a node a { next END } }\n");
    make(dir);
    return dir;
  };
  // Found: read with process.loadEnvFile, whatever it was — a FIFO blocked every command that loads the config; /dev/zero read without end.
  const cases: { name: string; make: (dir: string) => void; says: RegExp }[] = [
    { name: "a FIFO", make: (d) => mkfifo(join(d, ".env")), says: /not a regular file/ },
    { name: "a link to /dev/zero", make: (d) => symlinkSync("/dev/zero", join(d, ".env")), says: /not a regular file/ },
    { name: "2 MiB", make: (d) => writeFileSync(join(d, ".env"), `A=${"x".repeat(2 * 1024 * 1024)}\n`), says: /over the limit/ },
  ];
  for (const c of cases)
    it(`${c.name}: \`rag check\` ends at once with exit 2, naming .env`, () => {
      const r = rag(["check", "a.rag"], project(c.make));
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/cannot load \.env/);
      expect(r.out).toMatch(c.says);
    });
  it("held: an ordinary .env still sets what the environment does not", () => {
    const dir = project((d) => writeFileSync(join(d, ".env"), "RT5_KEY=from-file\nexport RT5_OTHER=\"a b\"\n# comment\n"));
    writeFileSync(join(dir, "rag.config.ts"), 'if (process.env.RT5_KEY !== "from-file" || process.env.RT5_OTHER !== "a b") throw new Error("env not loaded");\nexport default {};\n');
    const r = rag(["check", "a.rag"], dir);
    expect(r.out).toMatch(/ok: 1 file checked/);
    expect(r.code).toBe(0);
  });
});

describe("rag init into a folder a repository filled", () => {
  it("a .gitignore that is a link: refused, the file it names unchanged (the scaffold's lines were written through it)", () => {
    const dir = scratchDir("rt5-init-");
    const outside = join(dir, "outside.txt");
    writeFileSync(outside, "precious\n");
    mkdirSync(join(dir, "app"));
    symlinkSync(outside, join(dir, "app", ".gitignore"));
    const r = rag(["init", "app"], dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/symbolic link/);
    expect(readFileSync(outside, "utf8")).toBe("precious\n");
  });
  it("a package.json that is a FIFO: refused at once (it blocked rag init)", () => {
    const dir = scratchDir("rt5-init-");
    mkdirSync(join(dir, "app"));
    mkfifo(join(dir, "app", "package.json"));
    const r = rag(["init", "app"], dir);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/not a regular file/);
  });
});

describe("fenced blocks of a model's reply", () => {
  const old = (text: string) => [...text.matchAll(/```ragsh[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  // Found: the regular expression was quadratic on unclosed openings: 512 kB took 30 s, blocking the event loop of the run's process.
  it("a 384 kB reply of unclosed ```ragsh openings is scanned at once (CodeAct and rag author)", () => {
    const reply = "```ragsh".repeat(48_000);
    const t0 = performance.now();
    expect(extractBlocks(reply)).toEqual([]);
    expect(extractSource("```rag".repeat(64_000))).toBe("```rag".repeat(64_000) + "\n");
    expect(performance.now() - t0).toBeLessThan(3_000);
  }, 20_000);
  it("held: the same blocks as before on 2,000 random replies", () => {
    const alphabet = ["```", "```ragsh", "```rag", "\n", "x", "ragsh", " ", "`"];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 2_000; i++) {
      const text = Array.from({ length: rnd(24) }, () => alphabet[rnd(alphabet.length)]).join("");
      expect(extractBlocks(text)).toEqual(old(text));
      const blocks = [...text.matchAll(/```([A-Za-z-]*)[^\n]*\n([\s\S]*?)```/g)];
      const rag = blocks.filter((b) => b[1] === "rag" || b[1] === "");
      const pick = (rag.length ? rag : blocks).at(-1);
      expect(extractSource(text)).toBe((pick ? pick[2] : text).trim() + "\n");
    }
  });
});
