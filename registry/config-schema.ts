/**
 * The shape of a `defineConfig({...})` value, checked with zod when a config is applied,
 * so that a tool given a JSON Schema instead of a zod schema, `tools: { x: 5 }` or a
 * misspelt key is refused at load time, naming the key path (`tools.x.schema`), instead
 * of failing mid-run with `Cannot read properties of undefined` (issue 14 §4).
 *
 * Definitions (tools, agents, providers) are checked for the members the runtime uses
 * and may carry more; the top level and `models.<name>` are strict, with did-you-mean.
 */
import { z } from "zod";
import { didYouMean } from "../grammar/suggest.js";
import { RegistryError } from "./registry.js";

/** One problem of a config: where (`tools.search.schema`) and what. */
export interface ConfigIssue {
  /** Key path from the config's root, e.g. `["tools", "search", "schema"]`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A config value of the wrong shape. `issues` lists every problem found (at most 20). */
export class ConfigError extends RegistryError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map((i) => `${i.path.length ? `\`${keyPath(i.path)}\`: ` : ""}${i.message}`).join("; "));
    this.name = "ConfigError";
  }
}

/** `tools.search.schema`; keys that are not identifiers are quoted: `graphs["my graph"]`. */
export function keyPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else if (typeof k === "string" && /^[A-Za-z_$][\w$]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

const looksLikeJsonSchema = (v: unknown) => typeof v === "object" && v !== null && !("_zod" in v) && ("type" in v || "properties" in v || "$schema" in v || "anyOf" in v);
/** A zod 4 schema (any copy of zod: checked by shape, not `instanceof`). */
const isZod = (v: unknown) => typeof v === "object" && v !== null && "_zod" in v && typeof (v as { safeParse?: unknown }).safeParse === "function";

const zodSchema = z.custom<z.ZodType>(isZod, {
  error: (iss) =>
    looksLikeJsonSchema(iss.input)
      ? "expected a zod schema (e.g. z.object({ query: z.string() })), got a JSON Schema object; write it with zod, or convert it with z.fromJSONSchema(…)"
      : `expected a zod schema (e.g. z.object({ … })), got ${describe(iss.input)}`,
});
const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", { error: (iss) => `expected ${what}, got ${describe(iss.input)}` });
const names = <T extends z.ZodType>(value: T) => z.record(z.string(), value);
const positiveInt = z.number().int().positive();

/** Says what was expected (`what`) when a definition is not an object at all. */
const notAn = (what: string) => ({ error: (iss: z.core.$ZodRawIssue) => (iss.code === "invalid_type" ? `expected ${what}, got ${describe(iss.input)}` : undefined) });

const providerSchema = z.union([z.string(), z.looseObject({ name: z.string(), chat: fn("a function chat(request, options)") })], {
  error: (iss) => `expected a provider name (e.g. "openai") or a provider instance (e.g. scripted({ … })), got ${describe(iss.input)}`,
});

const modelSchema = z.strictObject(
  {
  provider: providerSchema,
  model: z.string().optional(),
  // The known keys typed (a `maxOutputTokens: true` capped every reply of the model at one
  // token: the budget takes the smaller of what is left and this); others as before.
  capabilities: z
    .looseObject({
      tools: z.boolean().optional(),
      structuredOutput: z.boolean().optional(),
      vision: z.boolean().optional(),
      fileInput: z.boolean().optional(),
      thinking: z.boolean().optional(),
      contextWindow: z.number().int().positive().optional(),
      maxOutputTokens: z.number().int().positive().optional(),
    })
    .catchall(z.union([z.boolean(), z.number()]))
    .optional(),
  price: z.looseObject({ inputPerMTok: z.number().nonnegative(), outputPerMTok: z.number().nonnegative(), cachedInputPerMTok: z.number().nonnegative().optional() }).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  },
  notAn("a model ({ provider, model?, options? })"),
);

const toolSchema = z.looseObject({
  description: z.string(),
  schema: zodSchema,
  result: zodSchema.optional(),
  readOnly: z.boolean().optional(),
  approval: z.enum(["auto", "ask", "deny"]).optional(),
  run: fn("a function run(args, ctx)"),
}, notAn("a tool definition ({ description, schema: z.object({ … }), run })"));

const agentSchema = z.looseObject({
  model: z.string(),
  system: z.string().optional(),
  tools: z.array(z.string()).optional(),
  writes: z.string().optional(),
  maxSteps: positiveInt.optional(),
  input: zodSchema.optional(),
  output: zodSchema.optional(),
  description: z.string().optional(),
}, notAn("an agent definition ({ model, system?, tools? })"));

const blueprintSchema = z.looseObject({ id: z.string(), hash: z.string() });

const policySchema = z.strictObject({
  name: z.string().optional(),
  allow: z.record(z.string(), z.array(z.string())).optional(),
  untrusted: z.array(z.string()).optional(),
  untrustedAllow: z.record(z.string(), z.array(z.string())).optional(),
  requireReview: z.enum(["none", "untrusted", "all"]).optional(),
});

/**
 * The limits of the harness (`middleware.budget`, `middleware.rateLimit`) are typed: a
 * figure that is not a count (`tokens: "lots"`, NaN) or a misspelt key (`tokns`) compared
 * false with every total and switched the limit off without a word.
 */
const count = z.number().nonnegative();
const budgetLimit = z.strictObject({ tokens: count.optional(), usd: count.optional() });

/** `middleware.budget` (`BudgetConfig`): limits are numbers ≥ 0, `expectedOutputTokens` a whole number ≥ 1; no other keys. */
export const BudgetConfigSchema = z.strictObject(
  {
    run: budgetLimit.optional(),
    node: budgetLimit.optional(),
    nodes: z.record(z.string(), budgetLimit).optional(),
    expectedOutputTokens: positiveInt.optional(),
  },
  notAn("a budget ({ run?, node?, nodes?, expectedOutputTokens? })"),
);

/**
 * `middleware.rateLimit` (limits by provider name, `RateLimitConfig`): each figure > 0 —
 * the limiter reads 0 (and any falsy figure) as "no limit", so a 0 would switch it off.
 */
export const RateLimitConfigSchema = z.record(
  z.string(),
  z.strictObject({ requestsPerMinute: z.number().positive().optional(), tokensPerMinute: z.number().positive().optional(), maxConcurrent: positiveInt.optional() }, notAn("a provider's rate limits ({ requestsPerMinute?, tokensPerMinute?, maxConcurrent? })")),
  notAn("rate limits by provider name ({ openai: { requestsPerMinute: 60 } })"),
);

const middlewareSchema = z.looseObject({
  budget: BudgetConfigSchema.optional(),
  rateLimit: RateLimitConfigSchema.optional(),
});

/** `defineConfig` input (RagConfig, config.ts). */
export const RagConfigSchema = z.strictObject({
  models: names(modelSchema).optional(),
  tools: names(toolSchema).optional(),
  agents: names(agentSchema).optional(),
  graphs: names(z.union([z.string(), blueprintSchema], { error: (iss) => `expected a path to a .rag file or a compiled blueprint, got ${describe(iss.input)}` })).optional(),
  scripts: names(z.string({ error: (iss) => `expected .ragsh source text, got ${describe(iss.input)}` })).optional(),
  routers: names(fn("a route function (state, task) => label")).optional(),
  reducers: names(fn("a reducer function (current, update) => next")).optional(),
  validators: names(fn("a validator function")).optional(),
  nodeKinds: names(fn("a node kind implementation (task) => Promise<result>")).optional(),
  middleware: middlewareSchema.optional(),
  policy: policySchema.optional(),
  repl: z.looseObject({}).optional(),
  defaultInputs: names(z.record(z.string(), z.unknown())).optional(),
  worker: z.strictObject({ distribute: z.enum(["none", "branches"]).optional() }).optional(),
  limits: z.strictObject({ maxSendPackets: positiveInt.optional(), maxStateBytes: positiveInt.optional(), maxChildRuns: positiveInt.optional() }).optional(),
});

const TOP_KEYS = Object.keys(RagConfigSchema.shape);
const MODEL_KEYS = Object.keys(modelSchema.shape);

/**
 * Checks a config value's shape.
 * @throws ConfigError listing each problem with its key path (at most 20).
 */
export function validateConfig(config: unknown): void {
  // jitless: the config is checked once per process, and zod's eval-compiled fast path for
  // objects costs more to generate than it saves on one parse (≈ 10 ms at `rag check`).
  const r = RagConfigSchema.safeParse(config, { error: defaultMessage, jitless: true });
  if (r.success) return;
  throw new ConfigError(issuesOf(r.error.issues, [], (path) => (path.length === 0 ? TOP_KEYS : path.length === 2 && path[0] === "models" ? MODEL_KEYS : [])));
}

/**
 * Checks one part of a config (`BudgetConfigSchema`, `RateLimitConfigSchema`) where it is
 * used without the rest — a middleware constructor called directly, as
 * `budgetMiddleware({ … })` may be — as `validateConfig` checks a whole config.
 * @param at where the part sits in a config (`["middleware", "budget"]`): each issue's key path starts there.
 * @throws ConfigError naming each bad key path (at most 20); an unknown key with the keys its object knows.
 */
export function checkConfigPart(schema: z.ZodType, value: unknown, at: readonly (string | number)[]): void {
  const r = schema.safeParse(value, { error: defaultMessage, jitless: true });
  if (r.success) return;
  throw new ConfigError(issuesOf(r.error.issues, at, (path) => keysAt(schema, path)));
}

/** A zod failure's issues as `ConfigIssue`s under `at`, at most 20; `known(path)` gives the keys an object at `path` (within the checked value) knows, for unknown keys. */
function issuesOf(zodIssues: readonly z.core.$ZodIssue[], at: readonly (string | number)[], known: (path: readonly (string | number)[]) => readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const i of zodIssues) {
    const path = i.path.map((k) => (typeof k === "symbol" ? String(k) : k));
    if (i.code === "unrecognized_keys") {
      const keys = known(path);
      for (const key of i.keys) {
        const guess = didYouMean(key, [...keys]);
        issues.push({ path: [...at, ...path, key], message: `unknown key${guess ? `; did you mean \`${guess}\`?` : keys.length ? ` (known: ${keys.join(", ")})` : ""}` });
      }
    } else issues.push({ path: [...at, ...path], message: issueMessage(i) });
    if (issues.length >= 20) break;
  }
  return issues.slice(0, 20);
}

/** The keys of the object schema `path` leads to inside `schema` (through optional fields and records); [] when none. */
function keysAt(schema: z.ZodType, path: readonly (string | number)[]): readonly string[] {
  let s: z.core.$ZodType | undefined = schema;
  const unwrap = () => {
    while (s && s._zod.def.type === "optional") s = (s._zod.def as unknown as { innerType: z.core.$ZodType }).innerType;
  };
  for (const k of path) {
    unwrap();
    const def = s?._zod.def as { type?: string; shape?: Record<string, z.core.$ZodType>; valueType?: z.core.$ZodType } | undefined;
    s = def?.type === "object" ? (typeof k === "string" && def.shape && Object.hasOwn(def.shape, k) ? def.shape[k] : undefined) : def?.type === "record" ? def.valueType : undefined;
  }
  unwrap();
  const def = s?._zod.def as { type?: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function issueMessage(i: z.core.$ZodIssue): string {
  return i.message.replace(/^Invalid input: /, "");
}

/** Messages of issues no schema words itself: "missing", "expected string, got number 5". */
function defaultMessage(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code !== "invalid_type") return undefined;
  if (iss.input === undefined) return `missing (expected ${iss.expected})`;
  return `expected ${iss.expected}, got ${describe(iss.input)}`;
}

/** A value as named in an error: `number 5`, `string "x"`, `an array`, `an object with keys type, properties`. */
function describe(v: unknown): string {
  if (v === undefined) return "nothing (the key is missing)";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  if (typeof v === "object") {
    const keys = Object.keys(v).slice(0, 5);
    return keys.length ? `an object with keys ${keys.join(", ")}` : "an empty object";
  }
  if (typeof v === "function") return "a function";
  return `${typeof v} ${String(v)}`;
}
