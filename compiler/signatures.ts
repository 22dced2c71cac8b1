/**
 * Registry signatures (issue 15 §1): the *shapes* of what a registry grants, next to its
 * names — tool argument schemas, agents' and graphs' input and output, route labels.
 * The compiler checks `input` mappings, send packets, tool arguments and `result.x`
 * reads against them; `rag spec` prints them as "what you may use". The registry
 * (`registry/export.ts`) produces them; `rag registry export` writes them to JSON.
 *
 * Shapes are JSON Schema (draft 2020-12, as zod's `z.toJSONSchema` writes it). Keys are
 * snake_case because this is a file format (the `--registry FILE.json` snapshot).
 */
import type { FieldSpec, TypeSpec } from "./blueprint.js";

/** A JSON Schema object (draft 2020-12 subset: type, properties, required, items, enum, anyOf, description, minimum, maximum). */
export type JsonSchema = { readonly [key: string]: unknown };

export interface ToolSignature {
  readonly description?: string;
  /** JSON Schema of the arguments (an object schema). */
  readonly args: JsonSchema;
  /** JSON Schema of what the tool returns (its `result:` option); absent = unknown (`any`). */
  readonly result?: JsonSchema;
  /** Read-only tools of one turn run in parallel; mutating ones one at a time. */
  readonly read_only: boolean;
  /** `auto` runs, `ask` pauses for a human first, `deny` refuses. */
  readonly approval: "auto" | "ask" | "deny";
}

export interface AgentSignature {
  readonly description?: string;
  readonly model?: string;
  readonly tools?: readonly string[];
  /** What the agent receives (its user message is this object as JSON); absent = any object. */
  readonly input?: JsonSchema;
  /** Its structured result; absent = the reply text (a string). */
  readonly output?: JsonSchema;
  /** The state channel its answer is written to when a node runs it without `writes`. */
  readonly writes?: string;
  readonly max_steps?: number;
}

export interface GraphSignature {
  readonly description?: string;
  /** Run input (an object schema); absent = any object. */
  readonly input?: JsonSchema;
  /** The run's output projection; absent = the last task's result. */
  readonly output?: JsonSchema;
}

export interface RouterSignature {
  readonly description?: string;
  /** Labels the route function may return, when declared. */
  readonly labels?: readonly string[];
}

export interface ScriptSignature {
  readonly description?: string;
}

/** Shapes by capability kind and name; a missing entry means "shape unknown" (nothing is checked). */
export interface RegistrySignatures {
  readonly tools?: Readonly<Record<string, ToolSignature>>;
  readonly agents?: Readonly<Record<string, AgentSignature>>;
  readonly graphs?: Readonly<Record<string, GraphSignature>>;
  readonly routers?: Readonly<Record<string, RouterSignature>>;
  readonly scripts?: Readonly<Record<string, ScriptSignature>>;
}

/** The object part of a schema: its properties, which are required, and whether other keys are refused. */
export interface ObjectShape {
  readonly properties: ReadonlyMap<string, JsonSchema>;
  readonly required: ReadonlySet<string>;
  /** True when the schema lists its properties and allows no others (`additionalProperties: false`, or a zod object). */
  readonly closed: boolean;
}

const isObj = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The object shape of `s`, or undefined when `s` is not an object schema with listed
 * properties. zod objects export without `additionalProperties` but strip unknown keys,
 * so an unknown key is a mistake either way: listed properties count as closed unless
 * `additionalProperties` is `true` or a schema.
 */
export function objectShape(s: JsonSchema | undefined): ObjectShape | undefined {
  if (!s || s.type !== "object" || !isObj(s.properties)) return undefined;
  const properties = new Map<string, JsonSchema>();
  for (const [k, v] of Object.entries(s.properties)) properties.set(k, isObj(v) ? v : {});
  const required = new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === "string") : []);
  const extra = s.additionalProperties;
  return { properties, required, closed: extra === undefined || extra === false };
}

/** The schema with a `null` alternative removed (`anyOf: [T, {type: null}]` → T). */
function nonNull(s: JsonSchema): JsonSchema {
  const alts = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (!alts) return s;
  const rest = alts.filter((a) => !(isObj(a) && a.type === "null"));
  return rest.length === 1 && isObj(rest[0]) ? rest[0] : s;
}

/**
 * A compact, one-line text of a schema for the card and messages:
 * `{ query: string, limit?: integer }`, `string[]`, `"a" | "b"`, `number(0..1)`,
 * `string(email)` (a JSON Schema `format`: email, uri, uuid, date-time, …), `string(/re/)`.
 */
export function schemaText(s: JsonSchema | undefined, depth = 0): string {
  if (!s || depth > 4) return "any";
  const n = nonNull(s);
  if (Array.isArray(n.enum)) return n.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (n.const !== undefined) return JSON.stringify(n.const);
  switch (n.type) {
    case "object": {
      const shape = objectShape(n);
      if (!shape) return isObj(n.additionalProperties) ? `map<${schemaText(n.additionalProperties, depth + 1)}>` : "object";
      const fields = [...shape.properties].map(([k, v]) => `${k}${shape.required.has(k) ? "" : "?"}: ${schemaText(v, depth + 1)}`);
      return `{ ${fields.join(", ")} }`;
    }
    case "array":
      return `${schemaText(isObj(n.items) ? n.items : undefined, depth + 1)}[]`;
    case "string":
      // A named format (zod's email, url, uuid, datetime also export their long regex as `pattern`) reads better than its regex.
      if (typeof n.format === "string" && /^[a-z][a-z0-9-]*$/.test(n.format)) return `string(${n.format})`;
      return typeof n.pattern === "string" ? `string(/${n.pattern}/)` : "string";
    case "number":
    case "integer": {
      const lo = typeof n.minimum === "number" ? n.minimum : undefined;
      const hi = typeof n.maximum === "number" ? n.maximum : undefined;
      return lo !== undefined || hi !== undefined ? `${n.type}(${lo ?? ""}..${hi ?? ""})` : n.type;
    }
    case "boolean":
    case "null":
      return n.type;
    default:
      return "any";
  }
}

/** JSON Schema of a Blueprint type (a registered graph's input or output field). */
export function typeSpecSchema(t: TypeSpec, schemas: { readonly [name: string]: TypeSpec } = {}, depth = 0): JsonSchema {
  if (depth > 16) return {};
  switch (t.type) {
    case "string":
      return { type: t.type, ...(t.pattern !== undefined ? { pattern: t.pattern } : {}) };
    case "number":
    case "integer":
      return { type: t.type, ...(t.min !== undefined ? { minimum: t.min } : {}), ...(t.max !== undefined ? { maximum: t.max } : {}) };
    case "boolean":
      return { type: t.type };
    case "any":
      return {};
    case "messages":
      return { type: "array", items: { type: "object" } };
    case "list":
      return { type: "array", items: typeSpecSchema(t.items, schemas, depth + 1) };
    case "map":
      return { type: "object", additionalProperties: typeSpecSchema(t.values, schemas, depth + 1) };
    case "enum":
      return { type: "string", enum: [...t.values] };
    case "record":
      return fieldsSchema(t.fields, schemas, depth + 1);
    case "ref": {
      const def = schemas[t.name];
      return def ? typeSpecSchema(def, schemas, depth + 1) : {};
    }
  }
}

/** JSON Schema of a list of fields (a graph's `input { … }` or `output { … }`): optional fields and fields with a default are not required. */
export function fieldsSchema(fields: readonly FieldSpec[], schemas: { readonly [name: string]: TypeSpec } = {}, depth = 0): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of fields) {
    properties[f.name] = typeSpecSchema(f.type, schemas, depth);
    if (!f.type.optional && f.default === undefined) required.push(f.name);
  }
  return { type: "object", properties, required, additionalProperties: false };
}
