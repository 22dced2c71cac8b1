/** The studio's workspace tree (studio/app/tree.ts): files grouped under their folders. */
import { describe, expect, it } from "vitest";
import { fileTree } from "../../studio/app/tree.js";

describe("studio file tree", () => {
  it("puts .rag and .ragsh files under their folders, folders and files sorted by name", () => {
    const t = fileTree([
      { path: "z.rag", kind: "rag" },
      { path: "flows/b.ragsh", kind: "ragsh" },
      { path: "flows/deep/c.rag", kind: "rag" },
      { path: "a.rag", kind: "rag" },
      { path: "flows/a.rag", kind: "rag" },
      { path: "agents/x.rag", kind: "rag" },
    ]);
    expect(t.files.map((f) => f.path)).toEqual(["a.rag", "z.rag"]);
    expect(t.dirs.map((d) => d.path)).toEqual(["agents", "flows"]);
    const flows = t.dirs[1]!;
    expect(flows.files.map((f) => [f.name, f.path, f.kind])).toEqual([
      ["a.rag", "flows/a.rag", "rag"],
      ["b.ragsh", "flows/b.ragsh", "ragsh"],
    ]);
    expect(flows.dirs.map((d) => [d.name, d.path, d.files.map((f) => f.path)])).toEqual([["deep", "flows/deep", ["flows/deep/c.rag"]]]);
  });
});
