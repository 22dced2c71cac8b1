/**
 * A Postgres host that takes the connection and never answers (a firewall that drops
 * packets, a proxy in front of a dead server) fails `--checkpoints postgres://…` within the
 * checkpointer's connect timeout, not after the operating system's (minutes).
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointError } from "../../runtime/index.js";
import { PostgresCheckpointer } from "../../scale/index.js";

let server: Server;
const sockets: Socket[] = [];
let port = 0;

beforeAll(async () => {
  server = createServer((s) => void sockets.push(s)); // accepts, says nothing
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((ok) => server.close(ok));
});

describe("Postgres connect timeout", () => {
  it("a silent server fails the store with a CheckpointError naming the URL without its password", async () => {
    const store = new PostgresCheckpointer(`postgres://rag:secret@127.0.0.1:${port}/test`, { connectTimeoutMs: 300 });
    const err = await store.whenReady().then(() => undefined, (e: unknown) => e);
    await store.closeAsync().catch(() => undefined);
    expect(err).toBeInstanceOf(CheckpointError);
    expect(String((err as Error).message)).toContain(`127.0.0.1:${port}`);
    expect(String((err as Error).message)).not.toContain("secret");
  }, 10_000);
});
