/**
 * The safe built-in tools: `http_get` against a real loopback HTTP server (allowlist,
 * redirects, size and time limits), `read_file` / `list_files` on a real directory with
 * escape attempts (`..`, absolute paths, symbolic links out), `calculator` (a property
 * test against JavaScript's own arithmetic, and inputs that must never evaluate), `now`.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolContext, ToolDefinition } from "../../registry/index.js";
import { NodeError } from "../../runtime/index.js";
import { calculator, evaluateArithmetic, fileTools, hostAllowed, httpGet, now } from "../../stdlib/index.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const ctx = (signal = new AbortController().signal): ToolContext => ({ signal, runId: "r", threadId: "t", node: "n" });
/** Runs a tool as the runtime does: arguments through its schema first. */
const call = async (t: ToolDefinition, args: unknown, c = ctx()) => t.run(t.schema.parse(args), c);
async function rejection(p: Promise<unknown> | unknown): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

describe("http_get", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/hello") return void res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("hello, world");
      if (req.url === "/big") return void res.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(50_000));
      if (req.url === "/hop") return void res.writeHead(302, { location: "/hello" }).end();
      if (req.url === "/away") return void res.writeHead(302, { location: "http://evil.example/steal" }).end();
      if (req.url === "/loop") return void res.writeHead(302, { location: "/loop" }).end();
      if (req.url === "/slow") {
        // Answers only after a minute (unless the client goes away first): settling at all is prompt.
        const late = setTimeout(() => res.writeHead(200).end("late"), 60_000);
        return void res.on("close", () => clearTimeout(late));
      }
      res.writeHead(404, { "content-type": "text/plain" }).end("no such page");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("fetches from an allowed host and follows a redirect on it", async () => {
    const t = httpGet({ allowHosts: ["127.0.0.1"] });
    expect(t.readOnly).toBe(true);
    expect(await call(t, { url: `${base}/hello` })).toEqual({ url: `${base}/hello`, status: 200, contentType: "text/plain; charset=utf-8", body: "hello, world", truncated: false });
    expect(await call(t, { url: `${base}/hop` })).toMatchObject({ url: `${base}/hello`, body: "hello, world" });
    expect(await call(t, { url: `${base}/missing` })).toMatchObject({ status: 404, body: "no such page" });
  });

  it("refuses hosts off the allowlist, redirects off it, other schemes, credentials and redirect loops", async () => {
    const t = httpGet({ allowHosts: ["127.0.0.1"], maxRedirects: 2 });
    expect((await rejection(call(t, { url: "http://localhost:1/x" }))).message).toBe("http_get: host `localhost:1` is not on the allowlist (127.0.0.1)");
    expect((await rejection(call(t, { url: `${base}/away` }))).message).toMatch(/host `evil\.example` is not on the allowlist/);
    expect((await rejection(call(t, { url: "file:///etc/passwd" }))).message).toMatch(/only http and https URLs are allowed, not file:/);
    expect((await rejection(call(t, { url: `http://user:pw@127.0.0.1/` }))).message).toMatch(/credentials/);
    expect((await rejection(call(t, { url: `${base}/loop` }))).message).toMatch(/more than 2 redirects/);
    expect((await rejection(call(t, { url: "not a url" }))).message).toMatch(/not an absolute URL/);
  });

  it("cuts the body at maxBytes and times out a slow server", async () => {
    const small = httpGet({ allowHosts: ["127.0.0.1"], maxBytes: 1000 });
    const r = (await call(small, { url: `${base}/big` })) as { body: string; truncated: boolean };
    expect(r.body.length).toBe(1000);
    expect(r.truncated).toBe(true);
    const quick = httpGet({ allowHosts: ["127.0.0.1"], timeoutMs: 100 });
    const t0 = Date.now();
    const err = await rejection(call(quick, { url: `${base}/slow` }));
    expect(Date.now() - t0).toBeLessThan(10_000); // far below the minute /slow takes
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).errorClass).toBe("timeout");
    expect(err.message).toMatch(/did not answer within 100 ms/);
  });

  it("matches hosts exactly, by subdomain wildcard, or with a port", () => {
    const u = (s: string) => new URL(s);
    expect(hostAllowed(u("https://api.example.org/x"), ["*.example.org"])).toBe(true);
    expect(hostAllowed(u("https://example.org/x"), ["*.example.org"])).toBe(false);
    expect(hostAllowed(u("https://badexample.org/x"), ["*.example.org"])).toBe(false);
    expect(hostAllowed(u("https://example.org.evil.com/x"), ["example.org"])).toBe(false);
    expect(hostAllowed(u("http://127.0.0.1:8080/"), ["127.0.0.1:8080"])).toBe(true);
    expect(hostAllowed(u("http://127.0.0.1:9090/"), ["127.0.0.1:8080"])).toBe(false);
    expect(hostAllowed(u("https://EXAMPLE.org/"), ["example.org"])).toBe(true);
  });
});

describe("read_file / list_files", () => {
  const base = scratchDir("rag-files-");
  const root = join(base, "root");
  mkdirSync(join(root, "docs"), { recursive: true });
  writeFileSync(join(root, "docs", "a.md"), "# A\nhello");
  writeFileSync(join(root, "big.txt"), "y".repeat(5000));
  writeFileSync(join(base, "secret.txt"), "top secret");
  symlinkSync(join(base, "secret.txt"), join(root, "leak"));
  symlinkSync(base, join(root, "up"));
  symlinkSync(join(root, "docs", "a.md"), join(root, "alias.md"));
  // a workspace's secrets: hidden files and folders inside the root
  writeFileSync(join(root, ".env"), "OPENAI_API_KEY=sk-secret");
  mkdirSync(join(root, ".rag"));
  writeFileSync(join(root, ".rag", "approvals.json"), "{}");
  symlinkSync(join(root, ".env"), join(root, "notes.txt"));
  const { read_file, list_files } = fileTools({ root, maxBytes: 1000, maxEntries: 3 });

  it("reads and lists inside the root, following links that stay inside", async () => {
    expect(await call(read_file, { path: "docs/a.md" })).toEqual({ path: "docs/a.md", size: 9, truncated: false, content: "# A\nhello" });
    expect(await call(read_file, { path: "./docs/../docs/a.md" })).toMatchObject({ content: "# A\nhello" });
    expect(await call(read_file, { path: "alias.md" })).toMatchObject({ content: "# A\nhello" });
    expect(await call(read_file, { path: "big.txt" })).toMatchObject({ size: 5000, truncated: true });
    expect(await call(list_files, {})).toEqual({
      path: ".",
      entries: [
        { name: "alias.md", type: "symlink" },
        { name: "big.txt", type: "file", size: 5000 },
        { name: "docs", type: "directory" },
      ],
      truncated: true,
    });
    expect(await call(list_files, { path: "docs" })).toEqual({ path: "docs", entries: [{ name: "a.md", type: "file", size: 9 }], truncated: false });
  });

  it.each([
    ["../secret.txt", /is outside the root/],
    ["docs/../../secret.txt", /is outside the root/],
    [join(base, "secret.txt"), /is absolute/],
    ["leak", /leads outside the root \(through a symbolic link\)/],
    ["up/secret.txt", /leads outside the root/],
    ["nope.txt", /does not exist/],
    ["docs", /is not a file/],
    ["a\0b", /NUL byte/],
  ])("read_file refuses %j", async (path, message) => {
    const err = await rejection(call(read_file, { path }));
    expect(err).toBeInstanceOf(NodeError);
    expect(err.message).toMatch(message);
  });

  it.each([
    [".env", /`.env` is hidden/],
    ["./.env", /is hidden/],
    ["docs/../.env", /is hidden/],
    [".rag/approvals.json", /is hidden/],
    ["notes.txt", /leads to a hidden file \(through a symbolic link\)/],
  ])("read_file refuses the hidden %j (the workspace's secrets)", async (path, message) => {
    const err = await rejection(call(read_file, { path }));
    expect(err).toBeInstanceOf(NodeError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/sk-secret/);
  });

  it("list_files leaves hidden entries out and refuses a hidden folder; `hidden: true` shares them", async () => {
    const all = fileTools({ root, maxEntries: 100 });
    const names = ((await call(all.list_files, {})) as { entries: { name: string }[] }).entries.map((e) => e.name);
    expect(names).toEqual(["alias.md", "big.txt", "docs", "leak", "notes.txt", "up"]);
    expect((await rejection(call(all.list_files, { path: ".rag" }))).message).toMatch(/is hidden/);
    const open = fileTools({ root, maxEntries: 100, hidden: true });
    expect(await call(open.read_file, { path: ".env" })).toMatchObject({ content: "OPENAI_API_KEY=sk-secret" });
    expect(await call(open.read_file, { path: "notes.txt" })).toMatchObject({ content: "OPENAI_API_KEY=sk-secret" });
    expect(((await call(open.list_files, {})) as { entries: { name: string }[] }).entries.map((e) => e.name)).toEqual([".env", ".rag", "alias.md", "big.txt", "docs", "leak", "notes.txt", "up"]);
  });

  it("list_files refuses escapes too", async () => {
    expect((await rejection(call(list_files, { path: ".." }))).message).toMatch(/outside the root/);
    expect((await rejection(call(list_files, { path: "up" }))).message).toMatch(/leads outside the root/);
    expect((await rejection(call(list_files, { path: "/" }))).message).toMatch(/is absolute/);
  });
});

describe("calculator", () => {
  it("evaluates with the usual precedence and functions", async () => {
    expect(await call(calculator(), { expression: "(17.5 * 3 + 2^10) / 4" })).toEqual({ expression: "(17.5 * 3 + 2^10) / 4", result: 269.125 });
    expect(evaluateArithmetic("2^3^2")).toBe(512);
    expect(evaluateArithmetic("-2^2")).toBe(-4);
    expect(evaluateArithmetic("2**10 % 1000")).toBe(24);
    expect(evaluateArithmetic("sqrt(16) + max(1, 5, 3) * pi / pi")).toBe(9);
    expect(evaluateArithmetic(" 1.5e3 + .5 ")).toBe(1500.5);
  });

  it.each([
    ["1/0", /not a finite number/],
    ["sqrt(-1)", /not a finite number/],
    ["constructor", /unknown name `constructor`/],
    ["toString(1)", /unknown function `toString`/],
    ["process.exit()", /unexpected character `\.`/],
    ["globalThis", /unknown name/],
    ["1 +", /ends too early/],
    ["(1", /expected `\)`/],
    ["1 2", /unexpected number at column 3/],
    ["atan2(1)", /takes 2 arguments, got 1/],
    ["", /empty/],
    ["(".repeat(80) + "1" + ")".repeat(80), /nests deeper than 64/],
  ])("refuses %j", (expression, message) => {
    expect(() => evaluateArithmetic(expression)).toThrow(message);
  });

  it("agrees with JavaScript's arithmetic on random expressions (property)", () => {
    const leaf = fc.integer({ min: -50, max: 50 }).map((n) => (n < 0 ? `(${n})` : `${n}`));
    const expr = fc.letrec((tie) => ({
      e: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.tuple(tie("e"), fc.constantFrom("+", "-", "*"), tie("e")).map(([a, op, b]) => `(${a} ${op} ${b})`)),
    })).e as fc.Arbitrary<string>;
    fc.assert(
      fc.property(expr, (s) => {
        const expected = Function(`"use strict"; return (${s});`)() as number;
        expect(evaluateArithmetic(s)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("now", () => {
  it("reports UTC and a named time zone from the clock; an unknown zone is an error", async () => {
    const t = now({ clock: () => Date.UTC(2025, 0, 15, 12, 30, 0) });
    expect(await call(t, {})).toEqual({ iso: "2025-01-15T12:30:00.000Z", unixMs: 1736944200000, timezone: "UTC" });
    const paris = (await call(t, { timezone: "Europe/Paris" })) as { local: string };
    expect(paris.local).toMatch(/2025-01-15.*13:30:00.*GMT\+1/);
    expect((await rejection(call(t, { timezone: "Mars/Olympus" }))).message).toMatch(/unknown time zone `Mars\/Olympus`/);
  });
});
