import { describe, expect, it } from "vitest";
import { sealToolCall, toolCallFingerprint, type ToolCall } from "../../registry/index.js";

// A tool_executor checks each pending call against the fingerprint recorded when the model
// replied (red team 11). `sealToolCall` lets it skip hashing the same call again, which is
// only sound if the sealed call can no longer change.
describe("sealToolCall", () => {
  const args = (): Record<string, unknown> => Object.assign(Object.create(null) as Record<string, unknown>, { path: "a.txt", opts: { depth: 2, tags: ["x", { y: 1 }] } });

  it("gives the fingerprint toolCallFingerprint gives, and freezes the call all the way down", () => {
    const call: ToolCall = { id: "c1", name: "read", arguments: args() };
    const expected = toolCallFingerprint({ name: "read", arguments: args() });
    expect(sealToolCall(call).fingerprint).toBe(expected);
    expect(toolCallFingerprint(call)).toBe(expected);
    const opts = call.arguments.opts as { depth: number; tags: unknown[] };
    expect(() => {
      (call.arguments as Record<string, unknown>).path = "/etc/passwd";
    }).toThrow(TypeError);
    expect(() => {
      opts.depth = 9;
    }).toThrow(TypeError);
    expect(() => {
      (opts.tags[1] as { y: number }).y = 2;
    }).toThrow(TypeError);
    expect(() => {
      (call as { name: string }).name = "write";
    }).toThrow(TypeError);
    expect(toolCallFingerprint(call)).toBe(expected);
  });

  it("does not remember a call whose arguments hold an accessor: it is hashed again as it reads now", () => {
    let path = "a.txt";
    const a = Object.create(null) as Record<string, unknown>;
    Object.defineProperty(a, "path", { enumerable: true, get: () => path });
    const call: ToolCall = { id: "c1", name: "read", arguments: a };
    const before = sealToolCall(call).fingerprint;
    path = "/etc/passwd";
    expect(toolCallFingerprint(call)).not.toBe(before);
    expect(toolCallFingerprint(call)).toBe(toolCallFingerprint({ name: "read", arguments: { path: "/etc/passwd" } }));
  });

  it("a copy of a sealed call with other arguments has its own fingerprint", () => {
    const call: ToolCall = { id: "c1", name: "read", arguments: args() };
    const sealed = sealToolCall(call).fingerprint;
    const rewritten: ToolCall = { ...call, arguments: { ...call.arguments, path: "/etc/passwd" } };
    expect(toolCallFingerprint(rewritten)).not.toBe(sealed);
  });
});
