/** The studio's typed form fields (studio/app/fields.ts): input types from `.rag` type text, and reading a field's text. */
import { describe, expect, it } from "vitest";
import { readFieldText, schemaOfTypeText } from "../../studio/app/fields.js";

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
});
