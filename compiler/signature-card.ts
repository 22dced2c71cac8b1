/**
 * The card's "What you may use" section (issue 15 §1): the registry's names with their
 * signatures, one compact line each, for `rag spec --config|--registry` and `rag author`.
 *
 *   tool search(query: string) -> { url: string }[]  read-only. Search the project notes.
 *   agent critic(draft: string) -> { ok: boolean }  writes verdicts.
 */
import type { ModelCapabilities, RegistrySnapshot, SnapshotModelPrice } from "./registry-view.js";
import { objectShape, schemaText, type JsonSchema } from "./signatures.js";

/** `(query: string, limit?: integer)` for an object schema; `(any)` when unknown. */
function params(s: JsonSchema | undefined): string {
  const shape = objectShape(s);
  if (!shape) return s ? `(${schemaText(s)})` : "(…)";
  return `(${[...shape.properties].map(([k, v]) => `${k}${shape.required.has(k) ? "" : "?"}: ${schemaText(v)}`).join(", ")})`;
}

const sentence = (d: string | undefined) => (d ? ` ${d.trim().replace(/\s+/g, " ")}` : "");

/** `- model "m": tools, output; 128k context; $1/$4 per M tokens` (no price: a USD `budget` on it fails the run). */
function modelLine(name: string, c: Partial<ModelCapabilities> | undefined, price: SnapshotModelPrice | undefined, prices: boolean): string {
  const can = c ? (["tools", "structuredOutput", "vision", "thinking"] as const).filter((k) => c[k]).map((k) => (k === "structuredOutput" ? "output" : k)) : [];
  const cost = price ? `; $${price.inputPerMTok}/$${price.outputPerMTok} per M tokens in/out` : prices ? "; no price (no `usd` budget)" : "";
  return `- model "${name}"${can.length ? `: ${can.join(", ")}` : ""}${c?.contextWindow ? `; ${Math.round(c.contextWindow / 1000)}k context` : ""}${cost}`;
}

/**
 * The section's Markdown. Lists every name of the snapshot; a name without a signature
 * gets its bare line. Empty kinds are left out.
 */
export function signatureSection(snap: RegistrySnapshot): string {
  const sig = snap.signatures ?? {};
  const out: string[] = ["## What you may use", "Only these names are registered; `input {…}`/send maps must match the parameters; `result` has the shape after `->`."];
  for (const m of snap.models ?? []) out.push(modelLine(m, snap.model_capabilities?.[m], snap.model_prices?.[m], snap.model_prices !== undefined));
  for (const t of snap.tools ?? []) {
    const s = sig.tools?.[t];
    const flags = s ? [s.read_only ? "read-only" : "mutating", ...(s.approval !== "auto" ? [`approval ${s.approval}`] : [])] : [];
    out.push(`- tool "${t}"${params(s?.args)}${s?.result ? ` -> ${schemaText(s.result)}` : ""}${flags.length ? ` [${flags.join(", ")}]` : ""}.${sentence(s?.description)}`);
  }
  for (const a of snap.agents ?? []) {
    const s = sig.agents?.[a];
    const extra = [s?.writes ? `writes ${s.writes}` : "", s?.tools?.length ? `tools ${s.tools.join(", ")}` : ""].filter(Boolean);
    out.push(`- agent "${a}"${params(s?.input)} -> ${s?.output ? schemaText(s.output) : "string"}${extra.length ? ` [${extra.join("; ")}]` : ""}.${sentence(s?.description)}`);
  }
  for (const g of snap.graphs ?? []) {
    const s = sig.graphs?.[g];
    out.push(`- graph "${g}"${params(s?.input)} -> ${s?.output ? schemaText(s.output) : "any"}.${sentence(s?.description)}`);
  }
  for (const r of snap.routers ?? []) {
    const s = sig.routers?.[r];
    out.push(`- route "${r}"${s?.labels?.length ? ` -> ${s.labels.map((l) => JSON.stringify(l)).join(" | ")}` : ""}.${sentence(s?.description)}`);
  }
  for (const sc of snap.scripts ?? []) out.push(`- script "${sc}".${sentence(sig.scripts?.[sc]?.description)}`);
  for (const v of snap.validators ?? []) out.push(`- validator "${v}"`);
  return out.join("\n") + "\n";
}
