/** The committed CST types match the grammar (regenerate: `npx tsx scripts/gen-cst-types.ts`). */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { cstDts } from "../../scripts/gen-cst-types.js";

it("grammar/rag/cst.generated.d.ts is up to date", () => {
  expect(readFileSync(new URL("../../grammar/rag/cst.generated.d.ts", import.meta.url), "utf8")).toBe(cstDts());
});
