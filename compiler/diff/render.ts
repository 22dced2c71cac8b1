/**
 * A BlueprintDiff for people (`rag diff --format human`): one line per change with
 * `+` added, `-` removed, `~` changed, and the fields of a changed node or channel on
 * the lines below, in `.rag` spelling (`timeout: 5s → 10s`, `tools: + t2`).
 */
import type { ExprEntrySpec, FieldSpec, InputSpec, Json, NodeSpec, SendSpec, TemplateSpec, TypeSpec } from "../blueprint.js";
import { durationText } from "../../grammar/format/canonical.js";
import { exprSpecText, fieldSpecText, jsonText, reducerSpecText, typeSpecText } from "../ir-text.js";
import type { BlueprintChange, BlueprintDiff, FieldChange } from "./diff.js";

const MARK = { added: "+", removed: "-", changed: "~" } as const;

/** Node fields that are lists of names: shown as `+ "x", - "y"`. */
const NAME_LISTS = new Set(["tools", "validators", "tags", "options", "sources"]);

/** IR field → the `.rag` item that writes it. */
const ITEM_NAMES: Readonly<Record<string, string>> = { timeoutMs: "timeout", maxSteps: "max_steps", onError: "on_error", validators: "validate", sends: "send" };

/** `sha256:` and the first 12 hex digits. */
const short = (hash: string) => hash.slice(0, 19);

export function renderDiff(d: BlueprintDiff): string {
  const head = d.from.id === d.to.id ? d.to.id : `${d.from.id} → ${d.to.id}`;
  if (d.identical && !d.changes.length) return `no semantic changes: ${head} ${short(d.to.hash)} (same hash)\n`;
  const lines = [`diff ${head}  ${short(d.from.hash)} → ${short(d.to.hash)}`];
  for (const c of d.changes) lines.push(...changeLines(c));
  lines.push(`${d.changes.length} change${d.changes.length === 1 ? "" : "s"}`);
  return lines.join("\n") + "\n";
}

function changeLines(c: BlueprintChange): string[] {
  const m = MARK[c.op];
  switch (c.area) {
    case "node":
    case "agent": {
      const kind = c.op === "added" ? kindOf(c.after) : c.op === "removed" ? kindOf(c.before) : "";
      return [`${m} ${c.area} ${c.subject}${kind ? ` (${kind})` : ""}`, ...(c.fields ?? []).map((f) => "    " + fieldLine(f))];
    }
    case "channel":
    case "input":
    case "output":
      if (c.op !== "changed") return [`${m} ${c.area} ${fieldSpecText((c.after ?? c.before) as unknown as FieldSpec)}`];
      return [`${m} ${c.area} ${c.subject}`, ...(c.fields ?? []).map((f) => "    " + fieldLine(f))];
    case "route":
      if (c.op === "changed") return [`${m} route ${c.subject}: ${c.before} → ${c.after}`];
      return [`${m} route ${c.subject}${typeof (c.after ?? c.before) === "string" ? ` -> ${c.after ?? c.before}` : ""}`];
    case "edge":
      return [`${m} edge ${c.subject}`];
    case "barrier":
      return [`${m} ${c.subject}`];
    case "schema":
      return [`${m} schema ${c.subject}${values(c, (v) => typeSpecText(v as unknown as TypeSpec))}`];
    case "subgraph":
      return [`${m} subgraph ${c.subject}${values(c, (v) => short(String(v)))}`];
    case "capability":
      return [`${m} capability ${c.subject}`];
    default:
      return [`${m} ${c.area === "policy" || c.area === "start" ? "" : c.area + " "}${c.subject}${values(c, jsonText)}`];
  }
}

/** `: before → after`, `: after` or `: before`. */
function values(c: BlueprintChange, text: (v: Json) => string): string {
  if (c.op === "changed") return `: ${c.before === undefined ? "∅" : text(c.before)} → ${c.after === undefined ? "∅" : text(c.after)}`;
  const v = c.after ?? c.before;
  return v === undefined ? "" : `: ${text(v)}`;
}

function kindOf(v: Json | undefined): string {
  return v && typeof v === "object" && !Array.isArray(v) && typeof v.kind === "string" ? v.kind : "";
}

function fieldLine(f: FieldChange): string {
  const name = ITEM_NAMES[f.field] ?? f.field;
  const { before: x, after: y } = f;
  if (NAME_LISTS.has(f.field) && isStringList(x ?? []) && isStringList(y ?? [])) {
    const xs = (x ?? []) as string[];
    const ys = (y ?? []) as string[];
    const plus = ys.filter((s) => !xs.includes(s)).map((s) => `+ ${JSON.stringify(s)}`);
    const minus = xs.filter((s) => !ys.includes(s)).map((s) => `- ${JSON.stringify(s)}`);
    if (plus.length || minus.length) return `${name}: ${[...plus, ...minus].join(", ")}`;
    return `${name}: order ${jsonText(xs)} → ${jsonText(ys)}`;
  }
  const show = (v: Json | undefined) => (v === undefined ? "∅" : fieldValue(f.field, v));
  return `${name}: ${show(x)} → ${show(y)}`;
}

function isStringList(v: Json): boolean {
  return Array.isArray(v) && v.every((s) => typeof s === "string");
}

function fieldValue(field: string, v: Json): string {
  if (field === "timeoutMs" && typeof v === "number") return durationText(v) ?? `${v}ms`;
  if ((field === "system" || field === "prompt") && v && typeof v === "object" && "text" in v) {
    const text = (v as unknown as TemplateSpec).text;
    return text.length <= 60 && !text.includes("\n") ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 40).replace(/\n[\s\S]*/, ""))}… (${text.length} chars)`;
  }
  if ((field === "output" || field === "type") && v && typeof v === "object" && "type" in v) return typeSpecText(v as unknown as TypeSpec);
  if (field === "reducer" && v && typeof v === "object" && "name" in v) return reducerSpecText(v as never);
  const n = v as never;
  switch (field) {
    case "set":
      return entries(n);
    case "writes":
    case "input":
      return io(n);
    case "command": {
      const c = n as NonNullable<NodeSpec["command"]>;
      return [...(c.goto ? [`goto ${c.goto}`] : []), ...(c.update ? [`update ${entries(c.update)}`] : [])].join(" ");
    }
    case "sends":
      return `[${(n as SendSpec[]).map((x) => `${x.target}${x.args ? " " + io(x.args) : ""}${x.forEach ? ` for ${x.forEach.variable} in ${exprSpecText(x.forEach.iterable)}` : ""}${x.into ? ` -> ${x.into}` : ""}`).join(", ")}]`;
    case "join": {
      const j = n as NonNullable<NodeSpec["join"]>;
      return `${j.target} wait ${j.wait}`;
    }
  }
  return jsonText(v);
}

function entries(es: readonly ExprEntrySpec[]): string {
  return es.length ? `{ ${es.map((e) => `${e.key}: ${exprSpecText(e.value)}`).join(", ")} }` : "{}";
}

/** An `input` or `writes` mapping as written: `"path"`, `channel` or `{ k: expr }`. */
function io(v: InputSpec | NonNullable<NodeSpec["writes"]>): string {
  if (v.kind === "path") return JSON.stringify(v.path);
  if (v.kind === "channel") return v.channel;
  return entries(v.fields);
}
