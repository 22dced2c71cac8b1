/**
 * TypeSpec → zod schema, for validating every write against its field's type
 * (`language.md` §2.2). Schemas are built once per blueprint.
 */
import { z } from "zod";
import type { Blueprint, FieldSpec, TypeSpec } from "../compiler/index.js";
import { compilePattern, MAX_PATTERN_INPUT, type SafePattern } from "../compiler/pattern.js";
import { constraintText } from "../compiler/ir-text.js";

const messageSchema = z.object({ id: z.string().optional(), role: z.enum(["system", "user", "assistant", "tool"]), content: z.string() }).loose();
const ROLES: ReadonlySet<unknown> = new Set(["system", "user", "assistant", "tool"]);

/** True when `m` passes `messageSchema` (the same checks, without zod's parse context and result objects). */
function isMessage(m: unknown): boolean {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return false;
  const o = m as { id?: unknown; role?: unknown; content?: unknown };
  const id = o.id;
  return (id === undefined || typeof id === "string") && ROLES.has(o.role) && typeof o.content === "string";
}

/** True when `v` passes the `messages` reducer's write schema: one message or a list of them. */
function isMessageWrite(v: unknown): boolean {
  if (!Array.isArray(v)) return isMessage(v);
  for (let i = 0; i < v.length; i++) if (!isMessage(v[i])) return false;
  return true;
}

/**
 * A fast acceptance test for writes to `f`, where there is one: a value it accepts passes
 * `writeSchema(f)` too (a value it refuses goes to the schema, which accepts it or says
 * why not). A conversation channel takes a write or two every superstep, and the zod
 * parse of each message was a visible share of a tool loop's time.
 */
export function writeCheck(f: FieldSpec): ((v: unknown) => boolean) | undefined {
  return f.reducer.name === "messages" ? isMessageWrite : undefined;
}

export function typeSchema(t: TypeSpec, schemas: Blueprint["schemas"], seen: Set<string> = new Set()): z.ZodType {
  let s: z.ZodType;
  switch (t.type) {
    case "string":
      s = t.pattern !== undefined ? patternSchema(t.pattern) : z.string();
      break;
    case "number":
    case "integer":
      s = rangeSchema(t);
      break;
    case "boolean":
      s = z.boolean();
      break;
    case "any":
      s = z.any();
      break;
    case "messages":
      s = z.array(messageSchema);
      break;
    case "list":
      s = z.array(typeSchema(t.items, schemas, seen));
      break;
    case "map":
      s = z.record(z.string(), typeSchema(t.values, schemas, seen));
      break;
    case "record":
      s = recordSchema(t.fields, schemas, seen);
      break;
    case "enum":
      s = t.values.length ? z.enum(t.values as [string, ...string[]]) : z.never();
      break;
    case "ref": {
      const def = schemas?.[t.name];
      if (!def || seen.has(t.name)) s = z.any();
      else s = z.lazy(() => typeSchema(def, schemas, new Set([...seen, t.name])));
      break;
    }
  }
  return t.optional ? s.nullish() : s;
}

/** `number(0..1)` / `integer(1..)`: zod bounds (JSON Schema `minimum`/`maximum` for providers). */
function rangeSchema(t: TypeSpec): z.ZodType {
  let n = t.type === "integer" ? z.number().int() : z.number();
  const r = t as { min?: number; max?: number };
  const msg = { message: `expected ${t.type}${constraintText(t)}` };
  if (r.min !== undefined) n = n.min(r.min, msg);
  if (r.max !== undefined) n = n.max(r.max, msg);
  return n;
}

/** Compiled patterns by source (compiled once; the compiler has already rejected bad ones). */
const patterns = new Map<string, SafePattern>();

/**
 * `string(/re/)`: matched by the linear-time matcher of compiler/pattern.ts, never by
 * `RegExp` (whose backtracking a pattern could blow up); `pattern` is kept as metadata
 * so JSON Schemas for providers carry it.
 */
function patternSchema(source: string): z.ZodType {
  let p = patterns.get(source);
  if (!p) {
    p = compilePattern(source);
    if (patterns.size > 1000) patterns.clear();
    patterns.set(source, p);
  }
  const m = p;
  return z
    .string()
    .refine((s) => m.test(s), { message: `expected a string matching /${source}/` })
    .refine((s) => s.length <= MAX_PATTERN_INPUT, { message: `strings over ${MAX_PATTERN_INPUT} characters never match a pattern type` })
    .meta({ pattern: source });
}

/** Whether a type holds a range or pattern anywhere (then a reducer's result is checked too). */
export function hasConstraint(t: TypeSpec, schemas: Blueprint["schemas"], seen: Set<string> = new Set()): boolean {
  switch (t.type) {
    case "list":
      return hasConstraint(t.items, schemas, seen);
    case "map":
      return hasConstraint(t.values, schemas, seen);
    case "record":
      return t.fields.some((f) => hasConstraint(f.type, schemas, seen));
    case "ref": {
      const def = schemas?.[t.name];
      if (!def || seen.has(t.name)) return false;
      seen.add(t.name);
      return hasConstraint(def, schemas, seen);
    }
    case "enum":
      return false;
    default:
      return "min" in t || "max" in t || "pattern" in t;
  }
}

/** Top-level record schemas by field list (blueprints are immutable; a run checks its input against one). */
const records = new WeakMap<readonly FieldSpec[], { readonly schemas: Blueprint["schemas"]; readonly schema: z.ZodType }>();

/** A record of `fields` (extra keys allowed). Built once per field list and schema table. */
export function recordSchema(fields: readonly FieldSpec[], schemas: Blueprint["schemas"], seen: Set<string> = new Set()): z.ZodType {
  const top = seen.size === 0;
  const hit = top ? records.get(fields) : undefined;
  if (hit && hit.schemas === schemas) return hit.schema;
  const schema = z.object(Object.fromEntries(fields.map((f) => [f.name, typeSchema(f.type, schemas, seen)]))).loose();
  if (top) records.set(fields, { schemas, schema });
  return schema;
}

/** What a write to a field must satisfy: the item type for append-like reducers, else the field type. */
export function writeSchema(f: FieldSpec, schemas: Blueprint["schemas"]): z.ZodType | undefined {
  if (f.type.type === "any") return undefined;
  const full = typeSchema(f.type, schemas);
  switch (f.reducer.name) {
    case "append":
    case "union":
    case "topic":
      if (f.type.type === "list") {
        const item = typeSchema(f.type.items, schemas);
        return z.union([item, z.array(item)]);
      }
      return full;
    case "messages":
      return z.union([messageSchema, z.array(messageSchema)]);
    case "merge":
      return undefined;
    case "overwrite":
    case "untracked":
    case "ephemeral":
      return f.type.optional ? full : full.nullable();
    default:
      return full;
  }
}

/**
 * A one-line description of what failed, for people: `missing field \`request\``,
 * `field \`count\`: expected number, got string "3"`, `field \`mode\`: expected one of
 * "a", "b", got "c"`. Values are shown when the parse ran with `reportInput: true`.
 * At most three issues, then how many more.
 */
export function describeIssues(e: z.ZodError): string {
  // A union refused at the value itself says only "Invalid input": the caller's "expected …" says more.
  const told = e.issues.filter((i) => !(i.code === "invalid_union" && i.path.length === 0));
  const shown = told.slice(0, 3).map(describeIssue);
  const more = told.length - shown.length;
  return shown.join("; ") + (more > 0 ? ` (and ${more} more)` : "");
}

function describeIssue(i: z.core.$ZodIssue): string {
  const where = i.path.length ? `field \`${i.path.map(String).join(".")}\`` : "the value";
  const input = (i as { input?: unknown }).input;
  const hasInput = "input" in i;
  if (i.code === "invalid_type") {
    if (hasInput && input === undefined) return i.path.length ? `missing ${where} (${i.expected})` : `missing value (${i.expected})`;
    return `${where}: expected ${i.expected}${hasInput ? `, got ${preview(input)}` : ""}`;
  }
  if (i.code === "invalid_value") return `${where}: expected ${i.values.map((v) => JSON.stringify(v)).join(" or ")}${hasInput ? `, got ${preview(input)}` : ""}`;
  return `${where}: ${i.message.replace(/^Invalid input: /, "")}`;
}

/** A short rendering of a value in an error: `string "abc"`, `number 3`, `an object`, `null`. */
function preview(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
