/**
 * Red team 4: the one authorisation check compared a name with an `allow` list by
 * `includes`, whatever the list was. A Blueprint built or edited without the compiler
 * (the runtime API takes any Blueprint object) with `allow: { tools: "top-secret-list" }`
 * therefore let every tool whose name is part of that text pass the limit — a tool node
 * binding `secret` ran. A limit that is there but not a list now restricts its kind and
 * lists nothing (deny by default), at bind time and at call time.
 *
 * Likewise the same-file graphs a blueprint may run past the policy (they are no registry
 * capabilities) were taken from the blueprint's own `subgraphs` claim: a blueprint naming
 * `subgraphs: { privg: … }` without the host handing over a graph of that name, and
 * leaving `privg` out of its capabilities, ran the *registered* `privg` the policy
 * refused. Now only graphs the host hands over (`graphs`) count as same-file.
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

describe("a blueprint's own `subgraphs` claim does not make a registered graph same-file", () => {
  const fired2: string[] = [];
  const mark = () => tool({ description: "m", schema: z.object({}).passthrough(), run: () => (fired2.push("inner tool"), "ok") });
  const policed = registryFromConfig({ tools: { open: mark() }, policy: { name: "locked", allow: { tools: ["open"], graphs: ["inner"] } } } as never);
  policed.registerGraph("privg", compileGraph('graph privg { start a node a { kind tool tool "open" next END } }', { file: "p.rag" }).value!);
  const g = compileGraph('graph g { start a node a { kind subgraph graph "privg" next END } }', { file: "a.rag" }).value!;

  it("compiled honestly, the policy refuses graph privg", () => {
    expect(() => new CompiledGraph(g, { registry: policed })).toThrow(/graph `privg`.*disallowed by policy `locked`/);
  });

  it("forged (claims privg as a same-file subgraph, leaves it out of its capabilities): refused, privg never runs", async () => {
    fired2.length = 0;
    const forged = { ...g, subgraphs: { privg: `sha256:${"0".repeat(64)}` }, capabilities: { ...g.capabilities, graphs: [] } } as Blueprint;
    let refused = "";
    try {
      await new CompiledGraph(forged, { registry: policed }).invoke({});
    } catch (e) {
      refused = (e as Error).message;
    }
    expect(fired2).toEqual([]);
    expect(refused).toMatch(/graphs\.privg/);
  });

  it("a same-file graph the host hands over still runs as one", async () => {
    fired2.length = 0;
    const file = compileGraph('graph g { start a node a { kind subgraph graph "inner" next END } } graph inner { start b node b { kind tool tool "open" next END } }', { file: "a.rag", graph: "g" });
    await new CompiledGraph(file.value!, { registry: policed, graphs: new Map(file.compilation.blueprints.map((b) => [b.id, b])) }).invoke({});
    expect(fired2).toEqual(["inner tool"]);
  });
});
