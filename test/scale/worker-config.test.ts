/**
 * `worker: { distribute }` in rag.config.ts (issue 13 §2): validated at load like every
 * config key, and a `rag worker` loading it distributes every run's branches (the flag,
 * when given, wins). Own key prefix and schema, removed after.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../registry/config-schema.js";
import { ragAsync, scratchProject } from "../helpers/cli.js";
import { missingServices, PG_URL, REDIS_URL, uniqueName, dropTestSchema, deleteTestKeys } from "../helpers/services.js";

const skip = await missingServices(["postgres", "redis"]);
const schema = uniqueName("rag_wcfg");
const prefix = uniqueName("ragwc");
const children: ReturnType<typeof ragAsync>[] = [];

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  if (skip) return;
  await dropTestSchema(schema);
  await deleteTestKeys(prefix);
});

describe("worker.distribute in rag.config.ts", () => {
  it("is validated: `branches` and `none` pass; anything else names the key path", () => {
    expect(() => validateConfig({ worker: { distribute: "branches" } })).not.toThrow();
    expect(() => validateConfig({ worker: { distribute: "none" } })).not.toThrow();
    const bad = (c: unknown) => {
      try {
        validateConfig(c);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues.map((i) => i.path.join("."));
      }
      throw new Error("accepted");
    };
    expect(bad({ worker: { distribute: "all" } })).toEqual(["worker.distribute"]);
    expect(bad({ worker: { distibute: "branches" } })[0]).toContain("worker");
  });

  it.skipIf(skip)("a rag worker loading it distributes branches; --distribute none wins", async () => {
    const dir = scratchProject({ "rag.config.ts": `export default { worker: { distribute: "branches" } };\n` });
    const args = ["worker", "--queue", `${REDIS_URL}?queue=runs&prefix=${prefix}`, "--checkpoints", `${PG_URL}?schema=${schema}`, "--config", "rag.config.ts"];
    const a = ragAsync(args, dir);
    const b = ragAsync([...args, "--distribute", "none"], dir);
    children.push(a, b);
    await expect.poll(() => /taking runs/.test(a.stdout()) && /taking runs/.test(b.stdout()), { timeout: 20_000, interval: 50 }).toBe(true);
    expect(a.stdout()).toContain("distribute: branches");
    expect(b.stdout()).not.toContain("distribute: branches");
  }, 30_000);
});
