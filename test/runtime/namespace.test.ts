/**
 * Checkpoint namespaces of child runs (`runtime/namespace.ts`): the form child runs write,
 * parsed back; node paths; malformed and over-long namespaces refused with NamespaceError.
 */
import { describe, expect, it } from "vitest";
import { childNamespace, formatNamespace, MAX_NAMESPACE_LENGTH, NamespaceError, parentNamespace, parseNamespace, parseNamespacePath } from "../../runtime/index.js";

describe("checkpoint namespaces", () => {
  it("parses what child runs write, nested, with lineage, and formats it back", () => {
    const one = childNamespace("", "1.0", "review");
    const two = childNamespace(one, "1.0/2.1", "inner", "3-abcd1234");
    expect(one).toBe("1.0:review");
    expect(two).toBe("1.0:review|1.0/2.1:inner@3-abcd1234");
    expect(parseNamespace(two)).toEqual([
      { taskId: "1.0", graph: "review" },
      { taskId: "1.0/2.1", graph: "inner", lineage: "3-abcd1234" },
    ]);
    expect(formatNamespace(parseNamespace(two))).toBe(two);
    expect(parentNamespace(two)).toBe(one);
    expect(parentNamespace(one)).toBe("");
    expect(parseNamespace("")).toEqual([]);
  });

  it("reads a level that names a node instead of a task as a persistent subgraph's level", () => {
    const ns = childNamespace(childNamespace("", "1.0", "outer"), "review", "checker", "2-abcd1234");
    expect(ns).toBe("1.0:outer|review:checker@2-abcd1234");
    expect(parseNamespace(ns)).toEqual([
      { taskId: "1.0", graph: "outer" },
      { taskId: "review", graph: "checker", lineage: "2-abcd1234", persistent: true },
    ]);
    expect(formatNamespace(parseNamespace(ns))).toBe(ns);
  });

  it("reads node paths level by level, and mixes them with full levels", () => {
    expect(parseNamespacePath("outer|inner")).toEqual([{ node: "outer" }, { node: "inner" }]);
    expect(parseNamespacePath("1.0:middle|inner")).toEqual([{ taskId: "1.0", graph: "middle" }, { node: "inner" }]);
    expect(() => parseNamespace("outer")).toThrow(NamespaceError);
  });

  it("refuses empty levels, empty parts and over-long namespaces", () => {
    for (const bad of ["|", "1.0:g|", ":g", "1.0:", "1.0:g@", "node@x", "a||b"]) {
      expect(() => parseNamespacePath(bad), bad).toThrow(NamespaceError);
    }
    const long = "1.0:g|".repeat(MAX_NAMESPACE_LENGTH);
    try {
      parseNamespacePath(long);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NamespaceError);
      expect((e as NamespaceError).code).toBe("checkpoint_namespace");
      expect((e as NamespaceError).namespace.length).toBeLessThanOrEqual(64);
    }
  });
});
