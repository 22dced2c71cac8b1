/**
 * Typed form fields, as data (no DOM): the part of JSON Schema the studio's forms use —
 * an interrupt's typed answer (`resume { … }`, whose payload carries its JSON Schema)
 * and the graph's `input` block (whose fields come as `.rag` type text, e.g. `number?`,
 * `list<string>`, `"low" | "high"`) — and how a field's text is read into a value.
 * runs.ts draws the inputs.
 */

/** The part of JSON Schema the forms read. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
  description?: string;
}

/** The schema of a `.rag` input field's type text (`typeSpecText`): scalars and enums typed, anything else JSON. */
export function schemaOfTypeText(text: string): JsonSchema {
  const t = text.trim().replace(/\?$/, "");
  if (t === "string") return { type: "string" };
  if (t === "number") return { type: "number" };
  if (t === "integer") return { type: "integer" };
  if (t === "boolean") return { type: "boolean" };
  if (/^"/.test(t)) {
    try {
      return { enum: t.split(" | ").map((v) => JSON.parse(v) as unknown) };
    } catch {
      return {};
    }
  }
  return {};
}

/** The scalar type a schema asks for (`null` alternatives dropped), if any. */
export function scalarType(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
}

/**
 * Reads a text box: `undefined` for an empty optional field, an `Error` naming the field
 * when the text does not fit (empty but required, not a number, not an integer, not
 * JSON), else the value (strings as typed, numbers parsed, anything else as JSON).
 */
export function readFieldText(name: string, text: string, schema: JsonSchema, required: boolean): unknown {
  const type = scalarType(schema);
  if (text === "") return required ? new Error(`${name} is required`) : undefined;
  if (type === "string") return text;
  if (type === "number" || type === "integer") {
    const n = Number(text);
    return Number.isFinite(n) && (type === "number" || Number.isInteger(n)) ? n : new Error(`${name} must be ${type === "integer" ? "an integer" : "a number"}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return new Error(`${name} must be JSON${type ? ` (${type})` : ""}`);
  }
}
