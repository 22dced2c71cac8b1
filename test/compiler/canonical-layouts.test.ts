/**
 * The canonical serializer keeps the sorted keys of the IR's object layouts for the life of
 * the process (`compiler/canonical.ts` `shapeOf`). Values hashed at run time — state,
 * model output, tool arguments through `canonicalJson` / `canonicalSha256` — must not be
 * kept: 300 records of 20,000 keys each held 1.4 GB until the process ended (review of the
 * layout cache). Its own file, so the table starts empty.
 */
import { describe, expect, it } from "vitest";
import { keptLayouts } from "../../compiler/canonical.js";
import { canonicalJson, compile, semanticJson } from "../../compiler/index.js";

describe("the layout cache", () => {
  it("keeps the IR's layouts, not those of values hashed at run time", () => {
    const r = compile("graph g { start a state { x: number } node a { kind set set { x: 1 } next END } }");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const [bp] = r.value.blueprints;
    semanticJson(bp!);
    const ir = keptLayouts();
    expect(ir).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) canonicalJson(Object.fromEntries(Array.from({ length: 200 }, (_, k) => [`r${i}k${k}`, k])));
    expect(keptLayouts()).toBe(ir);
  });
});
