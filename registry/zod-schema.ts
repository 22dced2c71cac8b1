/**
 * The one conversion of a zod schema to JSON Schema (zod's exporter, draft 2020-12) for
 * what the registry shows models and authors: tool arguments and results (`tool.ts`,
 * cached per definition), agents' input/output (`signatures.ts`).
 */
import { z } from "zod";
import type { JsonSchema } from "../compiler/signatures.js";

/**
 * JSON Schema of `schema` as seen on the `io` side ("input": what a caller may pass,
 * "output": what parsing yields), without the `$schema` key. A part zod cannot represent
 * (a `z.date()`, a custom type) exports as any (`{}`) by default; with `unrepresentable`
 * "throw" zod's Error is thrown instead (a model must not be offered such a tool).
 */
export function zodSchema(schema: z.ZodType, io: "input" | "output", unrepresentable: "any" | "throw" = "any"): JsonSchema {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, unrepresentable }) as Record<string, unknown>;
  return rest;
}
