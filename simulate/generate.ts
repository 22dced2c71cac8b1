/**
 * Values generated from a JSON Schema for `rag simulate` (issue 15 §5): instead of one
 * sample per schema, a short list of *variants*, so that a `when` condition over a
 * generated result can come out both ways. Variant `i` gives each field its
 * `i`-th candidate (cycling): booleans `true`/`false`, every enum value, numbers just
 * above and below each numeric literal of the graph's expressions (within the schema's
 * bounds), strings from the graph's string literals. The list is bounded
 * (`MAX_VARIANTS`), so this explores some combinations, not all.
 */
import { compilePattern, exprChildren, samplePattern, type Blueprint, type ExprSpec, type Json } from "../compiler/index.js";

/** Most variants of one generated value. */
export const MAX_VARIANTS = 4;

/** Literals of the graph's expressions: what generated data is steered around. */
export interface Hints {
  readonly numbers: readonly number[];
  readonly strings: readonly string[];
}

type Schema = Readonly<Record<string, unknown>>;
const MAX_DEPTH = 8;

/** The numeric and string literals of every `when`, `set`, `command` and `send` expression of `blueprints`. */
export function literalHints(blueprints: readonly Blueprint[]): Hints {
  const numbers = new Set<number>();
  const strings = new Set<string>();
  const walk = (e: ExprSpec | undefined): void => {
    if (!e) return;
    if (e.op !== "lit") return exprChildren(e).forEach(walk);
    if (typeof e.value === "number") numbers.add(e.value);
    else if (typeof e.value === "string" && e.value.length <= 200) strings.add(e.value);
  };
  for (const bp of blueprints) {
    for (const edge of bp.edges) if (edge.kind === "when") walk(edge.when);
    for (const n of bp.nodes) {
      n.set?.forEach((x) => walk(x.value));
      n.command?.update?.forEach((x) => walk(x.value));
      n.sends?.forEach((s) => walk(s.forEach?.iterable));
    }
  }
  return { numbers: [...numbers].slice(0, 8), strings: [...strings].slice(0, 8) };
}

/** A value of each JSON Schema string `format` a generated string may have to satisfy. */
const FORMAT_SAMPLES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  email: "simulated@example.com",
  "idn-email": "simulated@example.com",
  uri: "https://example.com/simulated",
  url: "https://example.com/simulated",
  iri: "https://example.com/simulated",
  "uri-reference": "https://example.com/simulated",
  uuid: "00000000-0000-4000-8000-000000000000",
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "00:00:00",
  duration: "P1D",
  hostname: "example.com",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
});

/**
 * Where the graph's input fields flow, as the constraints a generated value must meet
 * there (issue 15 §5): `input.F` (or `state.F` of a same-named field) passed straight
 * as argument `A` of a `tool` node takes the tool's JSON Schema `format`/`pattern` of
 * `A`; used in `attach`, it must be a URL (`format: uri`). `toolArgs` gives a
 * registered tool's argument schema. Fields used nowhere constrained are absent; a field
 * with two different constraints keeps the first.
 */
export function inputConstraints(blueprints: readonly Blueprint[], fields: ReadonlySet<string>, toolArgs: (tool: string) => Schema | undefined): Map<string, Schema> {
  const out = new Map<string, Schema>();
  const field = (e: ExprSpec): string | undefined => (e.op === "get" && e.object.op === "var" && (e.object.name === "input" || e.object.name === "state") && fields.has(e.key) ? e.key : undefined);
  const add = (f: string | undefined, c: Schema | undefined) => {
    if (f !== undefined && c && !out.has(f)) out.set(f, c);
  };
  for (const bp of blueprints) {
    for (const n of bp.nodes) {
      for (const a of n.attach ?? []) add(field(a.value), { format: "uri" });
      const tool = n.kind === "tool" ? (n.tool ?? n.tools?.[0]) : undefined;
      if (tool === undefined || n.input?.kind !== "map") continue;
      const props = toolArgs(tool)?.properties as Record<string, Schema> | undefined;
      if (!props || typeof props !== "object") continue;
      for (const e of n.input.fields) {
        const arg = Object.hasOwn(props, e.key) ? props[e.key] : undefined;
        if (!arg || arg.type !== "string") continue;
        if (typeof arg.format === "string" && FORMAT_SAMPLES[arg.format] !== undefined) add(field(e.value), { format: arg.format });
        else if (typeof arg.pattern === "string") add(field(e.value), { pattern: arg.pattern });
      }
    }
  }
  return out;
}

/** `schema` (an object schema of the graph's input) with `constraints` added to its plain string properties. */
export function constrainInput(schema: Schema, constraints: ReadonlyMap<string, Schema>): Schema {
  const props = schema.properties as Record<string, Schema> | undefined;
  if (!constraints.size || !props) return schema;
  const next: Record<string, Schema> = {};
  for (const [k, v] of Object.entries(props)) {
    const c = constraints.get(k);
    const plain = v.type === "string" && v.format === undefined && v.pattern === undefined && v.enum === undefined;
    next[k] = c && plain ? { ...v, ...c } : v;
  }
  return { ...schema, properties: next };
}

/** Candidates for one schema, most useful first (at least one). */
function candidates(schema: Schema, hints: Hints, depth: number, label: string): Json[] {
  if (depth > MAX_DEPTH) return [null];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum as Json[];
  if ("const" in schema) return [schema.const as Json];
  const alts = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(alts) && alts.length) {
    const real = alts.filter((a) => a.type !== "null");
    return (real.length ? real : alts).flatMap((a) => candidates(a, hints, depth + 1, label)).slice(0, MAX_VARIANTS);
  }
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== "null") : (schema.type as string | undefined);
  switch (type) {
    case "boolean": return [true, false];
    case "integer":
    case "number": {
      const min = typeof schema.minimum === "number" ? schema.minimum : -Infinity;
      const max = typeof schema.maximum === "number" ? schema.maximum : Infinity;
      const step = type === "integer" ? 1 : 0.01;
      const out: number[] = [];
      for (const c of hints.numbers) out.push(c + step, c - step, c);
      out.push(0, 1);
      const fit = out.map((x) => Math.round(Math.min(max, Math.max(min, x)) * 1e6) / 1e6).filter((x) => type !== "integer" || Number.isInteger(x));
      return [...new Set(fit)].slice(0, MAX_VARIANTS);
    }
    case "string": {
      const formatted = typeof schema.format === "string" ? FORMAT_SAMPLES[schema.format] : undefined;
      if (formatted !== undefined) return [formatted]; // zod's email/url/uuid also export a regex the sampler does not take
      const all = [`simulated ${label}`, ...hints.strings];
      if (typeof schema.pattern !== "string") return all.slice(0, MAX_VARIANTS);
      // `string(/re/)`: only values the pattern accepts (a sample built from it first).
      const sample = samplePattern(schema.pattern);
      if (sample === undefined) return all.slice(0, MAX_VARIANTS); // a pattern the matcher does not take (e.g. a registry schema's)
      const p = compilePattern(schema.pattern);
      const fit = [sample, ...all.filter((s) => p.test(s))];
      return (fit.length ? [...new Set(fit)] : all).slice(0, MAX_VARIANTS);
    }
    case "array": {
      const items = (schema.items ?? {}) as Schema;
      const inner = candidates(items, hints, depth + 1, label);
      return [[inner[0]], [], inner.length > 1 ? [inner[1]] : [inner[0], inner[0]]];
    }
    case "object": return objectVariants(schema, hints, depth, label);
    case "null": return [null];
    default:
      if (schema.properties) return objectVariants(schema, hints, depth, label);
      return [`simulated ${label}`];
  }
}

function objectVariants(schema: Schema, hints: Hints, depth: number, label: string): Json[] {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const keys = Object.keys(props).filter((k) => k !== "__proto__" && k !== "constructor" && k !== "prototype");
  const per = keys.map((k) => candidates(props[k], hints, depth + 1, k));
  const count = Math.min(MAX_VARIANTS, Math.max(1, ...per.map((c) => c.length)));
  const out: Json[] = [];
  for (let i = 0; i < count; i++) {
    const o: { [k: string]: Json } = {};
    keys.forEach((k, j) => (o[k] = per[j][i % per[j].length]));
    out.push(o);
  }
  return out;
}

/** The variants of a value of `schema` (JSON Schema; `{}` is any), 1 to `MAX_VARIANTS` of them. */
export function generateVariants(schema: Schema | undefined, hints: Hints, label = "value"): Json[] {
  return candidates(schema ?? {}, hints, 0, label).slice(0, MAX_VARIANTS);
}
