/**
 * Red team 4: the one authorisation check compared a name with an `allow` list by
 * `includes`, whatever the list was. A Blueprint built or edited without the compiler
 * (the runtime API takes any Blueprint object) with `allow: { tools: "top-secret-list" }`
 * therefore let every tool whose name is part of that text pass the limit — a tool node
 * binding `secret` ran. A limit that is there but not a list now restricts its kind and
 * lists nothing (deny by default), at bind time and at call time.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { authorize, compileGraph, type Blueprint } from "../../compiler/index.js";
import { tool } from "../../registry/index.js";
import { registryFromConfig } from "../../repl/index.js";
import { CompiledGraph } from "../../runtime/index.js";

const fired: string[] = [];
const reg = registryFromConfig({ tools: { secret: tool({ description: "s", schema: z.object({}).passthrough(), run: () => (fired.push("secret"), "ran") }) } } as never);
const base = compileGraph('graph g { start a node a { kind tool tool "secret" next END } }', { file: "a.rag" }).value!;

describe("an allow list that is not a list lists nothing", () => {
  for (const bad of ["top-secret-list", null, 7, { secret: true }]) {
    it(`allow.tools = ${JSON.stringify(bad)}: the tool does not run`, async () => {
      fired.length = 0;
      const bp = { ...base, allow: { tools: bad } } as unknown as Blueprint;
      let refused = "";
      try {
        await new CompiledGraph(bp, { registry: reg }).invoke({});
      } catch (e) {
        refused = (e as Error).message;
      }
      expect(fired).toEqual([]);
      expect(refused).toMatch(/outside graph `g`'s `allow` lists/);
    });
  }

  it("the decision itself: a string limit is not searched as text", () => {
    const d = authorize({ kind: "tools", name: "secret", caller: "tool" }, { owner: "node `a`", grants: { tools: new Set(["secret"]) }, limits: [{ source: "a limit", allow: { tools: "top-secret-list" as never } }] });
    expect(d.allowed).toBe(false);
  });

  it("a real list still allows what it lists", async () => {
    fired.length = 0;
    await new CompiledGraph({ ...base, allow: { tools: ["secret"] } }, { registry: reg }).invoke({});
    expect(fired).toEqual(["secret"]);
  });
});
