/**
 * A node kind is looked up among the built-in kinds and their aliases as own entries: a
 * kind named after an Object.prototype member (`kind toString`, `kind constructor`,
 * `kind __proto__`) read the prototype's function or object as the canonical kind, which
 * compiled with no diagnostic and put a function into the blueprint.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";

describe("node kinds named after Object.prototype members", () => {
  for (const k of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"])
    it(`\`kind ${k}\` is an unknown kind (a warning without a registry), and the blueprint records the name as written`, () => {
      const r = compile(`graph g { start a node a { kind ${k} next END } }`, { file: "g.rag" });
      expect(r.diagnostics.map((d) => d.code)).toEqual(["W-rag-unknown-node-kind"]);
      const node = r.value.blueprints[0].nodes.find((n) => n.name === "a")!;
      expect(node.kind).toBe(k);
    });
});
