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
    }
  }
  return undefined;
}

/** A registry snapshot whose shape `snapshotProblem` refused. */
export class RegistrySnapshotError extends Error {
  override readonly name = "RegistrySnapshotError";
  readonly code = "registry_snapshot";
}
