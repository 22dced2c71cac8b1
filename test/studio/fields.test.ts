/** The studio's typed form fields (studio/app/fields.ts): input types from `.rag` type text, and reading a field's text. */
import { describe, expect, it } from "vitest";
import { checkValue, readFieldText, schemaOfTypeText } from "../../studio/app/fields.js";

describe("studio form fields", () => {
  it("types an input field from its .rag type text (scalars and enums; the rest is JSON)", () => {
    expect(schemaOfTypeText("string")).toEqual({ type: "string" });
    expect(schemaOfTypeText("number?")).toEqual({ type: "number" });
    expect(schemaOfTypeText("integer")).toEqual({ type: "integer" });
    expect(schemaOfTypeText("boolean")).toEqual({ type: "boolean" });
    expect(schemaOfTypeText('"low" | "high"')).toEqual({ enum: ["low", "high"] });
    expect(schemaOfTypeText("list<string>")).toEqual({});
    expect(schemaOfTypeText("{ a: number }")).toEqual({});
  });

  it("reads a field's text as the value its type asks for, or an error naming the field", () => {
    expect(readFieldText("q", "two words", { type: "string" }, true)).toBe("two words");
    expect(readFieldText("n", "4.5", { type: "number" }, true)).toBe(4.5);
    expect(readFieldText("k", "3", { type: ["integer", "null"] }, true)).toBe(3);
    expect((readFieldText("k", "3.5", { type: "integer" }, true) as Error).message).toBe("k must be an integer");
    expect((readFieldText("n", "many", { type: "number" }, true) as Error).message).toBe("n must be a number");
    expect((readFieldText("q", "", { type: "string" }, true) as Error).message).toBe("q is required");
    expect(readFieldText("q", "", { type: "string" }, false)).toBeUndefined();
    expect(readFieldText("items", '["a","b"]', {}, true)).toEqual(["a", "b"]);
    expect((readFieldText("items", "[a", {}, true) as Error).message).toBe("items must be JSON");
  });

  it("checks edited tool arguments against the tool's schema, naming each bad path", () => {
    const schema = { type: "object", properties: { query: { type: "string" }, limit: { type: "integer" }, tags: { type: "array", items: { enum: ["a", "b"] } } }, required: ["query"] };
    expect(checkValue("args", { query: "x", limit: 3, tags: ["a"] }, schema)).toEqual([]);
    expect(checkValue("args", { limit: 2.5, tags: ["a", "c"] }, schema)).toEqual(["args.query is required", "args.limit must be an integer", 'args.tags[1] must be one of "a", "b"']);
    expect(checkValue("args", [], schema)).toEqual(["args must be an object"]);
    expect(checkValue("args", { query: null }, { properties: { query: { type: ["string", "null"] } } })).toEqual([]);
  });
});
