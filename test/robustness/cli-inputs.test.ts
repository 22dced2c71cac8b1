/**
 * Issue 10 §3, CLI: inputs that used to hang, crash or print raw terminal escapes get a
 * clear error (exit 2) or are printed safely. In-process: the command functions and
 * helpers are called directly.
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkThreadId, openCheckpoints, shellQuote } from "../../cli/checkpoints.js";
import { CliError } from "../../cli/errors.js";
import { parseJsonArg, readSource } from "../../cli/files.js";
import { boundedJson, printable, printableId } from "../../stdlib/printable.js";
import { errorToJson, neutralizeJson, parseUntrustedJson, RagError, UnsafeJsonError } from "../../runtime/index.js";
import { readTextFile } from "../../runtime/read-text-file.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const dir = scratchDir("rag-robust-cli-");
const cliError = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as CliError).message;
  }
  throw new Error("expected a CliError");
};

describe("files that never end are refused, not read", () => {
  it("--input @/dev/zero and a .rag named /dev/zero: not a regular file", () => {
    expect(cliError(() => parseJsonArg("--input", "@/dev/zero"))).toBe("cannot read /dev/zero: not a regular file (a device, pipe or socket could be endless)");
    expect(cliError(() => readSource("/dev/zero"))).toContain("not a regular file");
  });

  it("the refusal is a RagError with the stable code `io` (what --json and the server show)", () => {
    let caught: unknown;
    try {
      readTextFile("/dev/zero", 1024);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RagError);
    expect(errorToJson(caught)).toEqual({ name: "TextFileError", code: "io", message: "cannot read /dev/zero: not a regular file (a device, pipe or socket could be endless)" });
  });

  it("a file over the size limit is refused", () => {
    const f = join(dir, "big.json");
    writeFileSync(f, "x".repeat(2048));
    expect(cliError(() => readSource(f, 1024))).toBe(`cannot read ${f}: 2048 bytes is over the limit of 1024`);
    expect(readSource(f, 4096)).toHaveLength(2048);
  });
});

describe("untrusted JSON", () => {
  it("__proto__, constructor and prototype keys are refused with their path", () => {
    expect(cliError(() => parseJsonArg("--input", '{"a": {"__proto__": {"tokens": 10}}}'))).toBe('--input: the key "__proto__" is not allowed (at $.a)');
    for (const k of ["constructor", "prototype"]) expect(() => parseUntrustedJson(`[{"x": {"${k}": 1}}]`)).toThrow(UnsafeJsonError);
  });

  it("objects come back with a null prototype and the same content", () => {
    const v = parseJsonArg("--input", '{"q": "hi", "n": {"list": [1, {"a": null}]}}');
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(Object.getPrototypeOf((v.n as { list: unknown[] }).list[1])).toBeNull();
    expect(JSON.stringify(v)).toBe('{"q":"hi","n":{"list":[1,{"a":null}]}}');
  });

  it("nesting past 256 levels is refused without recursion (100,000 deep)", () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(() => parseUntrustedJson(deep)).toThrow(/nests deeper than 256 levels/);
    expect(cliError(() => parseJsonArg("--input", `{"v": ${"[".repeat(300)}${"]".repeat(300)}}`))).toMatch(/^--input: nests deeper than 256 levels/);
    expect(neutralizeJson([[1]], { maxDepth: 2 })).toEqual([[1]]);
  });
});

describe("checkpoint paths that hang SQLite are refused", () => {
  it("/proc/self/mem, a directory and a FIFO-like non-file", () => {
    expect(cliError(() => openCheckpoints("/proc/self/mem"))).toMatch(/is on a kernel file system \(\/proc\)/);
    expect(cliError(() => openCheckpoints(dir))).toMatch(/is not a regular file/);
    expect(cliError(() => openCheckpoints("/dev/null"))).toMatch(/is not a regular file/);
  });

  it("a file in a project folder still opens", () => {
    const sub = join(dir, "proj");
    mkdirSync(sub, { recursive: true });
    const saver = openCheckpoints(join(sub, "c.db"));
    saver.close?.();
    expect(statSync(join(sub, "c.db")).isFile()).toBe(true); // opened: the database was made
  });
});

describe("printing what came from outside", () => {
  it("control characters in ids and text are escaped", () => {
    expect(printableId("ab\u001b[31mc\n")).toBe("ab\\x1b[31mc\\x0a");
    expect(printable("line1\nx\u001b]0;title\u0007\u202e")).toBe("line1\nx\\x1b]0;title\\x07\\u202e");
    expect(shellQuote("t\u001bx")).toBe("$'t\\x1bx'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("--thread with control characters is refused", () => {
    expect(cliError(() => checkThreadId("--thread", "a\u001b[2Jb"))).toBe('--thread must be 1–256 characters without control characters, not "a\\u001b[2Jb"');
    expect(checkThreadId("--thread", "t-1")).toBe("t-1");
  });

  it("a value too deep for JSON.stringify is still printed, cut at 64 levels", () => {
    let v: unknown = "leaf";
    for (let i = 0; i < 20_000; i++) v = [v];
    expect(() => JSON.stringify(v)).toThrow(RangeError);
    const s = boundedJson({ state: v });
    expect(s.startsWith('{"state":[[[[')).toBe(true);
    expect(s).toContain("… (nested deeper than 64 levels)");
  });
});
