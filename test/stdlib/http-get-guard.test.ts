/**
 * `http_get`'s guard against server-side request forgery, over real loopback sockets:
 * an allowed *name* whose address is internal is refused at connect time (first request,
 * each redirect hop, a DNS answer that changes between hops, IPv4-mapped IPv6, mixed
 * answers), while an internal address the user granted — a literal-address allowlist
 * entry, an exact `localhost` entry, `allowPrivateAddresses` — is reached. DNS is the
 * system resolver for `localhost` and an injected resolver (the `resolve` option, the
 * same code path as the system one) for names that must resolve to internal addresses.
 * The address classifier is checked against an independent bit-level formulation of
 * the IANA special-purpose registries (property test).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolContext, ToolDefinition } from "../../registry/index.js";
import { NodeError } from "../../runtime/index.js";
import { canonicalAddress, classifyAddress, hostAllowed, httpGet, type ResolvedAddress } from "../../stdlib/index.js";

const ctx = (signal = new AbortController().signal): ToolContext => ({ signal, runId: "r", threadId: "t", node: "n" });
const call = async (t: ToolDefinition, args: unknown, c = ctx()) => t.run(t.schema.parse(args), c);
async function rejection(p: Promise<unknown>): Promise<NodeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NodeError);
    return e as NodeError;
  }
  throw new Error("expected a rejection");
}
/** A resolver answering every name with the next entry of `answers` (the last one repeats), recording the names asked. */
function resolver(...answers: ResolvedAddress[][]) {
  const asked: string[] = [];
  const resolve = async (host: string) => (asked.push(host), answers[Math.min(asked.length - 1, answers.length - 1)]);
  return { resolve, asked };
}
const v4 = (address: string): ResolvedAddress[] => [{ address, family: 4 }];
const HINT = "which is not allowed; allow it with allowPrivateAddresses or name the address in allowHosts";

async function listen(handler: Parameters<typeof createServer>[1], host = "127.0.0.1"): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((ok, fail) => server.once("error", fail).listen(0, host, ok));
  return { server, port: (server.address() as AddressInfo).port };
}
async function close(server: Server) {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

describe("http_get address guard", () => {
  let pub: Server; // stands for a host the user meant to allow
  let secret: Server; // stands for an internal service (admin API, metadata endpoint)
  let port = 0;
  let secretPort = 0;
  let secretHits = 0;
  beforeAll(async () => {
    ({ server: secret, port: secretPort } = await listen((req, res) => {
      secretHits++;
      res.writeHead(200, { "content-type": "text/plain" }).end("secret");
    }));
    ({ server: pub, port } = await listen((req, res) => {
      if (req.url === "/hello") return void res.writeHead(200, { "content-type": "text/plain" }).end("hello");
      if (req.url === "/hop") return void res.writeHead(302, { location: "/hello" }).end();
      if (req.url === "/to-internal") return void res.writeHead(302, { location: `http://db.internal.test:${secretPort}/` }).end();
      if (req.url === "/to-metadata") return void res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      if (req.url === "/echo") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(req.headers));
      if (req.url === "/slow") {
        // Answers only after a minute (unless the client goes away first): settling at all is prompt.
        const late = setTimeout(() => res.writeHead(200).end("late"), 60_000);
        return void res.on("close", () => clearTimeout(late));
      }
      res.writeHead(404).end();
    }));
  });
  afterAll(async () => {
    await close(pub);
    await close(secret);
  });

  it("refuses, at connect time, an allowed name that resolves to loopback", async () => {
    const dns = resolver(v4("127.0.0.1"));
    const t = httpGet({ allowHosts: ["*.rebind.test"], resolve: dns.resolve });
    const hits = secretHits;
    const err = await rejection(call(t, { url: `http://app.rebind.test:${secretPort}/` }));
    expect(err.message).toBe(`http_get: \`app.rebind.test\` resolves to 127.0.0.1 (loopback, 127.0.0.0/8), ${HINT}`);
    expect(err.errorClass).toBe("permanent");
    expect(dns.asked).toEqual(["app.rebind.test"]); // resolved once, by the connection itself
    expect(secretHits).toBe(hits);
  });

  it("checks each redirect hop's own DNS answer, so rebinding between hops is caught", async () => {
    const dns = resolver(v4("127.0.0.1"), v4("169.254.169.254"));
    const t = httpGet({ allowHosts: ["*.rebind.test", `127.0.0.1:${port}`], resolve: dns.resolve, timeoutMs: 1_000 });
    const err = await rejection(call(t, { url: `http://app.rebind.test:${port}/hop` }));
    expect(err.message).toBe(`http_get: \`app.rebind.test\` resolves to 169.254.169.254 (link-local, 169.254.0.0/16), ${HINT}`);
    expect(dns.asked).toEqual(["app.rebind.test", "app.rebind.test"]);
  });

  it("refuses a redirect from an allowed loopback address to an internal name or address", async () => {
    const dns = resolver(v4("127.0.0.1"));
    const t = httpGet({ allowHosts: [`127.0.0.1:${port}`, "*.internal.test"], resolve: dns.resolve });
    const hits = secretHits;
    const err = await rejection(call(t, { url: `http://127.0.0.1:${port}/to-internal` }));
    expect(err.message).toBe(`http_get: \`db.internal.test\` resolves to 127.0.0.1 (loopback, 127.0.0.0/8), ${HINT}`);
    expect(secretHits).toBe(hits);
    expect((await rejection(call(t, { url: `http://127.0.0.1:${port}/to-metadata` }))).message).toMatch(/host `169\.254\.169\.254` is not on the allowlist/);
  });

  it("refuses IPv4-mapped IPv6 answers and a mix of public and internal answers", async () => {
    for (const address of ["::ffff:127.0.0.1", "::ffff:7f00:1"]) {
      const t = httpGet({ allowHosts: ["*.rebind.test"], resolve: resolver([{ address, family: 6 }]).resolve });
      const err = await rejection(call(t, { url: `http://app.rebind.test:${secretPort}/` }));
      expect(err.message).toBe(`http_get: \`app.rebind.test\` resolves to ${address} (loopback, 127.0.0.0/8, embedded IPv4 127.0.0.1), ${HINT}`);
    }
    const mixed = httpGet({ allowHosts: ["*.rebind.test"], resolve: resolver([{ address: "93.184.215.14", family: 4 }, { address: "fd00::1", family: 6 }]).resolve });
    expect((await rejection(call(mixed, { url: "http://app.rebind.test/" }))).message).toMatch(/resolves to fd00::1 \(private, fc00::\/7\)/);
  });

  it("reaches an internal address the allowlist names literally, for that address and port only", async () => {
    expect(await call(httpGet({ allowHosts: [`127.0.0.1:${secretPort}`] }), { url: `http://127.0.0.1:${secretPort}/` })).toMatchObject({ status: 200, body: "secret" });
    const named = httpGet({ allowHosts: ["*.svc.test", `127.0.0.1:${secretPort}`], resolve: resolver(v4("127.0.0.1")).resolve });
    expect(await call(named, { url: `http://api.svc.test:${secretPort}/` })).toMatchObject({ body: "secret" });
    expect((await rejection(call(named, { url: `http://api.svc.test:${port}/hello` }))).message).toMatch(/resolves to 127\.0\.0\.1 \(loopback/);
    const wrongPort = httpGet({ allowHosts: ["*.svc.test", "127.0.0.1:1"], resolve: resolver(v4("127.0.0.1")).resolve });
    expect((await rejection(call(wrongPort, { url: `http://api.svc.test:${secretPort}/` }))).message).toMatch(/resolves to 127\.0\.0\.1/);
  });

  it("reaches [::1] through a literal IPv6 entry", async (test) => {
    let v6: { server: Server; port: number };
    try {
      v6 = await listen((_req, res) => res.writeHead(200).end("v6"), "::1");
    } catch {
      return test.skip(); // no IPv6 loopback on this machine
    }
    try {
      const t = httpGet({ allowHosts: [`[::1]:${v6.port}`] });
      expect(await call(t, { url: `http://[::1]:${v6.port}/` })).toMatchObject({ status: 200, body: "v6" });
      const viaName = httpGet({ allowHosts: ["*.rebind.test"], resolve: resolver([{ address: "::1", family: 6 }]).resolve });
      expect((await rejection(call(viaName, { url: `http://app.rebind.test:${v6.port}/` }))).message).toMatch(/resolves to ::1 \(loopback, ::1\/128\)/);
    } finally {
      await close(v6.server);
    }
  });

  it("reaches an internal address through an allowed name with allowPrivateAddresses, and shares no connection with a strict tool", async () => {
    const t = httpGet({ allowHosts: ["*.rebind.test"], allowPrivateAddresses: true, resolve: resolver(v4("127.0.0.1")).resolve });
    expect(await call(t, { url: `http://app.rebind.test:${secretPort}/` })).toEqual({ url: `http://app.rebind.test:${secretPort}/`, status: 200, contentType: "text/plain", body: "secret", truncated: false });
    // a connection the permissive tool opened is never reused by a strict one (no shared pool)
    const strict = httpGet({ allowHosts: ["*.rebind.test"], resolve: resolver(v4("127.0.0.1")).resolve });
    expect((await rejection(call(strict, { url: `http://app.rebind.test:${secretPort}/` }))).message).toMatch(/resolves to 127\.0\.0\.1/);
  });

  it("treats an exact `localhost` entry as a grant of loopback to that name only (system resolver)", async () => {
    const t = httpGet({ allowHosts: [`localhost:${secretPort}`] });
    expect(await call(t, { url: `http://localhost:${secretPort}/` })).toMatchObject({ body: "secret" });
    expect((await rejection(call(t, { url: `http://localhost:${port}/hello` }))).message).toMatch(/host `localhost:\d+` is not on the allowlist/);
    const other = httpGet({ allowHosts: ["localhost", "*.rebind.test"], resolve: resolver(v4("127.0.0.1")).resolve });
    expect((await rejection(call(other, { url: `http://app.rebind.test:${secretPort}/` }))).message).toMatch(/resolves to 127\.0\.0\.1 \(loopback/);
  });

  it("sends default and configured headers, ends cleanly on a failing resolver, and cancels with the run", async () => {
    const echo = async (t: ToolDefinition) => JSON.parse(((await call(t, { url: `http://127.0.0.1:${port}/echo` })) as { body: string }).body) as Record<string, string>;
    expect(await echo(httpGet({ allowHosts: ["127.0.0.1"] }))).toMatchObject({ "user-agent": "ragraph-http_get", accept: "*/*" });
    expect(await echo(httpGet({ allowHosts: ["127.0.0.1"], headers: { "User-Agent": "mine/1.0", "X-Trace": "7" } }))).toMatchObject({ "user-agent": "mine/1.0", "x-trace": "7" });
    const broken = httpGet({ allowHosts: ["*.rebind.test"], resolve: () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND x.rebind.test"), { code: "ENOTFOUND" })) });
    expect((await rejection(call(broken, { url: "http://x.rebind.test/" }))).message).toBe("http_get: http://x.rebind.test/ failed: getaddrinfo ENOTFOUND x.rebind.test");
    const run = new AbortController();
    setTimeout(() => run.abort(), 50);
    const t0 = Date.now();
    const err = await rejection(call(httpGet({ allowHosts: ["127.0.0.1"] }), { url: `http://127.0.0.1:${port}/slow` }, ctx(run.signal)));
    expect(err.errorClass).toBe("cancelled");
    expect(Date.now() - t0).toBeLessThan(10_000); // far below the minute /slow takes
  });

  it("parses literal-address entries: bracketed or bare IPv6, IPv4-mapped, never matched by a wildcard", () => {
    const u = (s: string) => new URL(s);
    expect(hostAllowed(u("http://[::1]:9000/"), ["[::1]:9000"])).toBe(true);
    expect(hostAllowed(u("http://[::1]:9001/"), ["[::1]:9000"])).toBe(false);
    expect(hostAllowed(u("http://[0:0:0:0:0:0:0:1]/"), ["::1"])).toBe(true);
    expect(hostAllowed(u("http://[::ffff:127.0.0.1]/"), ["127.0.0.1"])).toBe(true);
    expect(hostAllowed(u("http://127.0.0.1/"), ["*.0.0.1"])).toBe(false);
    expect(hostAllowed(u("http://2130706433/"), ["127.0.0.1"])).toBe(true); // the URL parser reads it as 127.0.0.1
  });
});

describe("classifyAddress", () => {
  it.each([
    ["169.254.169.254", "link-local"],
    ["127.8.9.10", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["10.1.2.3", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["100.127.0.1", "shared (CGNAT)"],
    ["198.19.1.1", "benchmarking"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["8.8.8.8", "public"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["FE80::1", "link-local"],
    ["fd12:3456::1", "private"],
    ["ff02::1", "multicast"],
    ["::ffff:10.0.0.1", "private"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    ["64:ff9b::8.8.8.8", "public"],
    ["2002:7f00:1::", "loopback"],
    ["2606:4700:4700::1111", "public"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address).kind).toBe(kind);
  });

  it("classifies a zoned IPv6 address by its address (the zone picks an interface)", () => {
    expect(classifyAddress("fe80::1%eth0")).toMatchObject({ kind: "link-local" });
    expect(canonicalAddress("fe80::1%lo")).toBe("fe80::1");
  });

  it("refuses a non-address", () => {
    expect(() => classifyAddress("example.org")).toThrow("not an IP address: `example.org`");
  });

  /** Independent formulation: byte and word arithmetic over the IANA registries, no parsing, no BlockList. */
  const ref4 = ([a, b, c, d]: readonly number[]): string => {
    if (a === 0) return "unspecified";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
    if (a === 100 && b >= 64 && b <= 127) return "shared (CGNAT)";
    if (a === 127) return "loopback";
    if (a === 169 && b === 254) return "link-local";
    if ((a === 192 && b === 0 && c === 0) || (a === 192 && b === 88 && c === 99)) return "reserved";
    if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return "documentation";
    if (a === 198 && (b === 18 || b === 19)) return "benchmarking";
    if (a >= 224 && a <= 239) return "multicast";
    if (a === 255 && b === 255 && c === 255 && d === 255) return "broadcast";
    return a >= 240 ? "reserved" : "public";
  };
  const bytes = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255];
  const ref6 = (w: readonly number[]): string => {
    const zero = (from: number, to: number) => w.slice(from, to).every((x) => x === 0);
    if (zero(0, 5) && w[5] === 0xffff) return ref4(bytes(w[6], w[7]));
    if (w[0] === 0x64 && w[1] === 0xff9b && zero(2, 6)) return ref4(bytes(w[6], w[7]));
    if (w[0] === 0x2002) return ref4(bytes(w[1], w[2]));
    if (zero(0, 8)) return "unspecified";
    if (zero(0, 7) && w[7] === 1) return "loopback";
    if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 1) return "private";
    if (w[0] === 0x2001 && w[1] < 0x200) return "reserved";
    if ((w[0] === 0x2001 && w[1] === 0xdb8) || (w[0] === 0x3fff && w[1] < 0x1000)) return "documentation";
    if (w[0] >> 9 === 0xfc >> 1) return "private";
    if (w[0] >> 6 === 0xfe80 >> 6) return "link-local";
    if (w[0] >> 6 === 0xfec0 >> 6) return "private";
    if (w[0] >> 8 === 0xff) return "multicast";
    return w[0] >> 13 === 1 ? "public" : "reserved";
  };

  const octet = fc.integer({ min: 0, max: 255 });
  const ipv4 = fc.tuple(
    fc.oneof(octet, fc.constantFrom(0, 10, 100, 127, 169, 172, 192, 198, 203, 223, 224, 239, 240, 255)),
    fc.oneof(octet, fc.constantFrom(0, 15, 16, 18, 19, 20, 31, 32, 51, 63, 64, 88, 127, 128, 168, 254, 255)),
    fc.oneof(octet, fc.constantFrom(0, 2, 99, 100, 113, 255)),
    fc.oneof(octet, fc.constant(255)),
  );
  const word = fc.integer({ min: 0, max: 0xffff });
  const w = (...interesting: number[]) => fc.oneof(word, fc.constantFrom(...interesting));
  const ipv6 = fc.oneof(
    fc.tuple(w(0, 0x64, 0x100, 0x1fff, 0x2000, 0x2001, 0x2002, 0x3fff, 0x3ff0, 0x4000, 0x5f00, 0xfbff, 0xfc00, 0xfdff, 0xfe80, 0xfebf, 0xfec0, 0xfeff, 0xff00), w(0, 1, 0x1ff, 0x200, 0xdb8, 0xfff, 0x1000, 0xff9b), fc.array(w(0, 1, 0xffff), { minLength: 6, maxLength: 6 })).map(([a, b, rest]) => [a, b, ...rest]),
    ipv4.map(([a, b, c, d]) => [0, 0, 0, 0, 0, 0xffff, (a << 8) | b, (c << 8) | d]),
    ipv4.map(([a, b, c, d]) => [0x64, 0xff9b, 0, 0, 0, 0, (a << 8) | b, (c << 8) | d]),
    fc.tuple(ipv4, word).map(([[a, b, c, d], x]) => [0x2002, (a << 8) | b, (c << 8) | d, x, 0, 0, 0, 1]),
    fc.constantFrom([0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1]),
  );
  /** Spellings of one IPv6 address: full, zero-padded upper case, `::`-compressed, dotted tail. */
  const spellings = (w: readonly number[]): string[] => {
    const hex = (x: number) => x.toString(16);
    let at = -1;
    let len = 1;
    for (let i = 0; i < 8; i++) {
      let j = i;
      while (j < 8 && w[j] === 0) j++;
      if (j - i > len) [at, len] = [i, j - i];
    }
    const compressed = at < 0 ? w.map(hex).join(":") : `${w.slice(0, at).map(hex).join(":")}::${w.slice(at + len).map(hex).join(":")}`;
    return [w.map(hex).join(":"), w.map((x) => hex(x).padStart(4, "0").toUpperCase()).join(":"), compressed, `${w.slice(0, 6).map(hex).join(":")}:${bytes(w[6], w[7]).join(".")}`];
  };

  it("agrees with a bit-level formulation on random IPv4 and IPv6 addresses, in every spelling (property)", () => {
    fc.assert(
      fc.property(ipv4, (b) => {
        const address = b.join(".");
        expect(classifyAddress(address).kind).toBe(ref4(b));
        expect(classifyAddress(`::ffff:${address}`).kind).toBe(ref4(b));
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(ipv6, (w) => {
        const forms = spellings(w);
        for (const s of forms) expect(classifyAddress(s).kind, s).toBe(ref6(w));
        expect(new Set(forms.map(canonicalAddress)).size).toBe(1);
      }),
      { numRuns: 2_000 },
    );
  });
});
