/**
 * The shape of a registry snapshot (`RegistrySnapshot`, `rag registry export`), checked
 * before a view is made of it: a snapshot is JSON a file or a host hands over (`rag check
 * --registry`, `rag lsp --registry`, `rag simulate --registry`), and the compiler's rules
 * read it as typed data. A name list that was a number made `rag lsp` exit with a stack
 * trace on the first document; a policy whose `untrusted` was not a list made every check
 * an `E-rag-internal`; an `allow` list given as a string was searched as text, so `"refunds"`
 * allowed a tool named `fund`.
 */

const NAME_LISTS = ["models", "tools", "agents", "graphs", "scripts", "routers", "reducers", "node_kinds", "validators"] as const;
const SIGNATURE_KINDS = new Set(["tools", "agents", "graphs", "routers", "scripts"]);
const CAPABILITY_FLAGS = ["tools", "structuredOutput", "vision", "fileInput", "thinking"] as const;
const CAPABILITY_COUNTS = ["contextWindow", "maxOutputTokens"] as const;
const REVIEW = new Set(["none", "untrusted", "all"]);

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isNames = (v: unknown): boolean => Array.isArray(v) && v.every((n) => typeof n === "string");
const isCount = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;
const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

/** The signature keys that hold a JSON Schema, by kind. */
const SCHEMA_KEYS: Readonly<Record<string, readonly string[]>> = { tools: ["args", "result"], agents: ["input", "output"], graphs: ["input", "output"] };
/** Keywords whose value is one schema, a map of schemas, or a list of schemas (as the compiler and `rag simulate` descend into them). */
const ONE_SCHEMA = ["items", "not", "additionalProperties", "contains", "propertyNames", "if", "then", "else", "additionalItems", "unevaluatedItems", "unevaluatedProperties"] as const;
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] as const;
const SCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"] as const;

/**
 * The first problem with a JSON Schema a snapshot carries, walked with an explicit stack:
 * every place a schema goes (`properties.*`, `items`, `anyOf[i]` …) holds an object (or,
 * where JSON Schema allows it, a boolean), `type` is a name or a list of names, `enum` a
 * list, `required` a list of names, `pattern` a string. `{"properties": {"a": 5}}` used to
 * reach `rag simulate`'s value generator, which reported the TypeError as the graph's own
 * runtime error ("node `a` failed: Cannot use 'in' operator …").
 */
function schemaProblem(root: unknown, rootPath: string): string | undefined {
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "boolean" && path !== rootPath) continue;
    if (!isRecord(v)) return `\`${path}\` must be a JSON Schema object`;
    const type = own(v, "type");
    if (type !== undefined && typeof type !== "string" && !isNames(type)) return `\`${path}.type\` must be a type name or a list of them`;
    if (own(v, "enum") !== undefined && !Array.isArray(own(v, "enum"))) return `\`${path}.enum\` must be a list`;
    if (own(v, "required") !== undefined && !isNames(own(v, "required"))) return `\`${path}.required\` must be a list of names`;
    if (own(v, "pattern") !== undefined && typeof own(v, "pattern") !== "string") return `\`${path}.pattern\` must be a string`;
    for (const k of ONE_SCHEMA) {
      const x = own(v, k);
      if (x === undefined) continue;
      if (k === "items" && Array.isArray(x)) x.forEach((s, i) => stack.push([s, `${path}.items[${i}]`]));
      else stack.push([x, `${path}.${k}`]);
    }
    for (const k of SCHEMA_MAPS) {
      const x = own(v, k);
      if (x === undefined) continue;
      if (!isRecord(x)) return `\`${path}.${k}\` must map names to schemas`;
      for (const [name, s] of Object.entries(x)) stack.push([s, `${path}.${k}.${name}`]);
    }
    for (const k of SCHEMA_LISTS) {
      const x = own(v, k);
      if (x === undefined) continue;
      if (!Array.isArray(x)) return `\`${path}.${k}\` must be a list of schemas`;
      x.forEach((s, i) => stack.push([s, `${path}.${k}[${i}]`]));
    }
  }
  return undefined;
}

/** The first problem with a snapshot's shape, as `key.path: what is wrong`; undefined when it has none. Keys it does not know are left to the caller. */
export function snapshotProblem(v: unknown): string | undefined {
  if (!isRecord(v)) return "a registry snapshot must be a JSON object";
  for (const k of NAME_LISTS) {
    const x = own(v, k);
    if (x !== undefined && x !== null && !isNames(x)) return `\`${k}\` must be a list of names or null`;
  }
  const ck = own(v, "checkpointer");
  if (ck !== undefined && typeof ck !== "boolean") return "`checkpointer` must be true or false";
  const caps = own(v, "model_capabilities");
  if (caps !== undefined) {
    if (!isRecord(caps)) return "`model_capabilities` must map model names to objects";
    for (const [name, c] of Object.entries(caps)) {
      if (!isRecord(c)) return `\`model_capabilities.${name}\` must be an object`;
      for (const f of CAPABILITY_FLAGS) if (own(c, f) !== undefined && typeof own(c, f) !== "boolean") return `\`model_capabilities.${name}.${f}\` must be true or false`;
      for (const f of CAPABILITY_COUNTS) if (own(c, f) !== undefined && !isCount(own(c, f))) return `\`model_capabilities.${name}.${f}\` must be a number ≥ 0`;
    }
  }
  const prices = own(v, "model_prices");
  if (prices !== undefined) {
    if (!isRecord(prices)) return "`model_prices` must map model names to prices";
    for (const [name, p] of Object.entries(prices)) {
      if (!isRecord(p)) return `\`model_prices.${name}\` must be an object`;
      for (const f of ["inputPerMTok", "outputPerMTok"]) if (!isCount(own(p, f))) return `\`model_prices.${name}.${f}\` must be a number ≥ 0`;
      if (own(p, "cachedInputPerMTok") !== undefined && !isCount(own(p, "cachedInputPerMTok"))) return `\`model_prices.${name}.cachedInputPerMTok\` must be a number ≥ 0`;
    }
  }
  const policy = own(v, "policy");
  if (policy !== undefined) {
    if (!isRecord(policy)) return "`policy` must be an object";
    const name = own(policy, "name");
    if (name !== undefined && typeof name !== "string") return "`policy.name` must be a string";
    for (const list of ["allow", "untrustedAllow"]) {
      const a = own(policy, list);
      if (a === undefined) continue;
      if (!isRecord(a)) return `\`policy.${list}\` must map capability kinds to lists of names`;
      for (const [kind, names] of Object.entries(a)) if (!isNames(names)) return `\`policy.${list}.${kind}\` must be a list of names`;
    }
    if (own(policy, "untrusted") !== undefined && !isNames(own(policy, "untrusted"))) return "`policy.untrusted` must be a list of generator names";
    if (own(policy, "review") !== undefined && !REVIEW.has(own(policy, "review") as string)) return '`policy.review` must be "none", "untrusted" or "all"';
  }
  const sigs = own(v, "signatures");
  if (sigs !== undefined) {
    if (!isRecord(sigs)) return "`signatures` must be an object";
    for (const [kind, m] of Object.entries(sigs)) {
      if (!SIGNATURE_KINDS.has(kind)) return `\`signatures.${kind}\` is not a signature kind (${[...SIGNATURE_KINDS].join(", ")})`;
      if (!isRecord(m) || !Object.values(m).every(isRecord)) return `\`signatures.${kind}\` must map names to objects`;
      if (kind === "tools") for (const [name, t] of Object.entries(m)) if (!isRecord((t as Record<string, unknown>).args)) return `\`signatures.tools.${name}.args\` must be a JSON Schema object`;
      for (const [name, sig] of Object.entries(m as Record<string, Record<string, unknown>>)) {
        for (const key of SCHEMA_KEYS[kind] ?? []) {
          const problem = own(sig, key) === undefined ? undefined : schemaProblem(own(sig, key), `signatures.${kind}.${name}.${key}`);
          if (problem !== undefined) return problem;
        }
        if (kind === "routers" && own(sig, "labels") !== undefined && !isNames(own(sig, "labels"))) return `\`signatures.routers.${name}.labels\` must be a list of names`;
      }
    }
  }
  return undefined;
}

/** A registry snapshot whose shape `snapshotProblem` refused. */
export class RegistrySnapshotError extends Error {
  override readonly name = "RegistrySnapshotError";
  readonly code = "registry_snapshot";
}
