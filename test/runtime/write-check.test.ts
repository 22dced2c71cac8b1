/**
 * The fast acceptance test of channel writes (`writeCheck`, `runtime/schema.ts`): a value
 * it accepts must pass the field's write schema too, or the barrier would store a write
 * that zod refuses. Property test over message-like values and arbitrary ones.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldSpec } from "../../compiler/index.js";
import { writeCheck, writeSchema } from "../../runtime/schema.js";

const SPAN = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
const messagesField: FieldSpec = { name: "messages", type: { type: "messages" }, reducer: { name: "messages", args: [] }, span: SPAN };

const messageLike = fc.record(
  {
    id: fc.oneof(fc.string(), fc.constant(undefined), fc.constant(null), fc.integer()),
    role: fc.oneof(fc.constantFrom("system", "user", "assistant", "tool", "bot", ""), fc.integer(), fc.constant(undefined)),
    content: fc.oneof(fc.string(), fc.constant(null), fc.integer(), fc.constant(undefined), fc.array(fc.string(), { maxLength: 2 })),
    name: fc.string(),
    toolCallId: fc.string(),
  },
  { requiredKeys: [] },
);
const value = fc.oneof(messageLike, fc.array(messageLike, { maxLength: 4 }), fc.anything(), fc.array(fc.oneof(messageLike, fc.anything()), { maxLength: 3 }));

describe("writeCheck", () => {
  it("a messages channel has one, and it agrees with the write schema", () => {
    const check = writeCheck(messagesField)!;
    const schema = writeSchema(messagesField, {})!;
    expect(check).toBeTypeOf("function");
    fc.assert(
      fc.property(value, (v) => {
        expect(check(v)).toBe(schema.safeParse(v).success);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses what the schema refuses: a null id, an unknown role, non-string content, a list with one bad message", () => {
    const check = writeCheck(messagesField)!;
    expect(check({ role: "user", content: "hi" })).toBe(true);
    expect(check([{ id: "a", role: "tool", content: "", toolCallId: "c" }])).toBe(true);
    expect(check({ id: null, role: "user", content: "hi" })).toBe(false);
    expect(check({ role: "robot", content: "hi" })).toBe(false);
    expect(check({ role: "user", content: 3 })).toBe(false);
    expect(check([{ role: "user", content: "ok" }, "text"])).toBe(false);
    expect(check("text")).toBe(false);
    expect(check(null)).toBe(false);
  });
});
