/**
 * An answer to show in a printed resume command (`rag resume … --resume '…'`, the REPL's
 * `:resume …` line): for an interrupt with a typed `resume { … }`, a value of that type
 * (with `choice` when the node also has options), else its first option. Shared by the
 * CLI and the REPL so both print an answer the interrupt accepts.
 */

/** The example answer for an interrupt `payload` as JSON text, or undefined when the payload says nothing of its shape. */
export function exampleAnswer(payload: unknown): string | undefined {
  const p = payload as { options?: unknown; resume?: unknown } | null | undefined;
  const option = Array.isArray(p?.options) && p.options.length ? p.options[0] : undefined;
  // A typed answer (`resume { … }`): its fields, with `choice` when the node also has options.
  const typed = p?.resume && typeof p.resume === "object" ? exampleValue(p.resume as Record<string, unknown>, 0) : undefined;
  if (typed && typeof typed === "object" && !Array.isArray(typed)) return JSON.stringify(option !== undefined ? { choice: option, ...typed } : typed);
  if (typed !== undefined) return JSON.stringify(typed);
  return option !== undefined ? JSON.stringify(option) : undefined;
}

/** A placeholder value of a JSON Schema, for the printed resume command (`"…"` for text; depth-bounded). */
function exampleValue(s: Record<string, unknown>, depth: number): unknown {
  if (depth > 4) return null;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ("const" in s) return s.const;
  const alts = (s.anyOf ?? s.oneOf) as Record<string, unknown>[] | undefined;
  if (Array.isArray(alts) && alts.length) return exampleValue(alts.find((a) => a.type !== "null") ?? alts[0], depth + 1);
  const type = Array.isArray(s.type) ? (s.type as unknown[]).find((t) => t !== "null") : s.type;
  switch (type) {
    case "string": return "…";
    case "number": case "integer": return typeof s.minimum === "number" ? s.minimum : 0;
    case "boolean": return true;
    case "array": return [];
    case "object": {
      const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
      const required = new Set(Array.isArray(s.required) ? s.required : Object.keys(props));
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, v] of Object.entries(props)) if (required.has(k)) out[k] = exampleValue(v, depth + 1);
      return out;
    }
    default: return null;
  }
}
