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

/**
 * Checks `value` against the part of JSON Schema the forms read (`type`, `enum`,
 * `properties` with `required`, `items`; anything else is not checked): one message per
 * problem, each naming the path (`args.query`, `args.items[2]`). Used before sending
 * edited tool arguments, so a person sees the mistake instead of a failed run.
 */
export function checkValue(path: string, value: unknown, schema: JsonSchema): string[] {
  if (schema.enum && !schema.enum.some((v) => JSON.stringify(v) === JSON.stringify(value))) return [`${path} must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length && !types.some((t) => fitsType(value, t))) return [`${path} must be ${types.map(article).join(" or ")}`];
  const out: string[] = [];
  if (schema.properties && value && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (obj[r] === undefined) out.push(`${path}.${r} is required`);
    for (const [k, s] of Object.entries(schema.properties)) if (obj[k] !== undefined) out.push(...checkValue(`${path}.${k}`, obj[k], s));
  }
  if (schema.items && Array.isArray(value)) value.forEach((v, i) => out.push(...checkValue(`${path}[${i}]`, v, schema.items!)));
  return out;
}

function fitsType(v: unknown, t: string): boolean {
  switch (t) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "array":
      return Array.isArray(v);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    default:
      return true;
  }
}

function article(t: string): string {
  return t === "null" ? "null" : `${/^[aeiou]/.test(t) ? "an" : "a"} ${t}`;
}
