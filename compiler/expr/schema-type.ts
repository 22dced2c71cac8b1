/**
 * The expression type (`types.ts`) a JSON Schema promises: what `result.x` of a node
 * that runs a registered agent, graph or tool (its `result` schema), or a tool argument, is known to hold
 * (issue 15 §1). Anything the checker cannot be sure of is `any`.
 */
import type { JsonSchema } from "../signatures.js";
import { ANY, BOOLEAN, NUMBER, STRING, type ExprType } from "./types.js";

const isObj = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);

/** `what` names a record for messages ("the output of agent `critic`"). */
export function schemaType(s: JsonSchema | undefined, what: string, depth = 0): ExprType {
  if (!s || depth > 8) return ANY;
  const alts = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (alts) {
    const rest = alts.filter((a) => !(isObj(a) && a.type === "null"));
    return rest.length === 1 && isObj(rest[0]) ? schemaType(rest[0], what, depth + 1) : ANY;
  }
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === "string")) return { t: "string", values: s.enum as string[] };
  switch (s.type) {
    case "string":
      return STRING;
    case "number":
    case "integer":
      return NUMBER;
    case "boolean":
      return BOOLEAN;
    case "array":
      return { t: "list", items: isObj(s.items) ? schemaType(s.items, "an item", depth + 1) : ANY };
    case "object": {
      if (isObj(s.properties)) {
        if (s.additionalProperties !== undefined && s.additionalProperties !== false) return { t: "map", values: ANY };
        const fields = new Map<string, ExprType>();
        for (const [k, v] of Object.entries(s.properties)) fields.set(k, isObj(v) ? schemaType(v, `field \`${k}\``, depth + 1) : ANY);
        return { t: "record", fields, what };
      }
      return { t: "map", values: isObj(s.additionalProperties) ? schemaType(s.additionalProperties, "a value", depth + 1) : ANY };
    }
    default:
      return ANY;
  }
}
