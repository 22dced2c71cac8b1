/**
 * How a tool-approval question (the `tool_approval` interrupt payload of
 * stdlib/kinds/approval.ts) reads for a person at a terminal — `rag run`'s progress and
 * the REPL's paused `:run`: the tool and the node asking, why it is asked, the tool's
 * description, the arguments as indented JSON cut to a bounded size, and what each answer
 * does. Plain text lines without colours; callers indent and colour them.
 */
import type { ToolApprovalRequest } from "./kinds/approval.js";
import { printableId } from "./printable.js";

/** Bounds of the arguments block: lines of indented JSON, and characters per line. */
export interface ApprovalTextLimits {
  /** Most lines of the arguments' JSON shown (default 20); the rest are counted. */
  readonly maxLines?: number;
  /** Most characters of one line (default 100); longer lines end in `…`. */
  readonly maxLineChars?: number;
}

/** True when an interrupt payload is a tool-approval question. */
export function isToolApproval(payload: unknown): payload is ToolApprovalRequest {
  if (!payload || typeof payload !== "object") return false;
  const p = payload as Partial<Record<keyof ToolApprovalRequest, unknown>>;
  return p.type === "tool_approval" && typeof p.tool === "string" && Array.isArray(p.options);
}

/** Control characters (newline and tab too: each piece is one line) escaped, so text a model wrote cannot move the cursor or recolour the terminal. */
const safe = printableId;

function clip(line: string, max: number): string {
  return line.length > max ? line.slice(0, Math.max(1, max - 1)) + "…" : line;
}

/** Deepest level of the arguments laid out over several lines; deeper values stay on one (clipped) line. */
const MAX_LAYOUT_DEPTH = 12;

/** `value` as JSON on one line, with a space after `:` and `,`; below 64 levels, `"…"`. */
function oneLine(value: unknown, depth: number): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (depth >= 64) return '"…"';
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return oneLine((value as { toJSON: () => unknown }).toJSON(), depth);
  if (Array.isArray(value)) return `[${value.map((v) => oneLine(v, depth + 1)).join(", ")}]`;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== "function");
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v, depth + 1)}`).join(", ")}}`;
}

/**
 * `value` as indented JSON: an array or object that fits in `width` columns stays on one
 * line, a longer one gets a line per entry. Stops adding lines past `budget`.
 */
function layout(value: unknown, indent: string, width: number, depth: number, out: string[], budget: number, prefix = "", suffix = ""): void {
  if (out.length > budget) return;
  const flat = oneLine(value, 0);
  if (value === null || typeof value !== "object" || depth >= MAX_LAYOUT_DEPTH || indent.length + prefix.length + flat.length + suffix.length <= width) {
    out.push(indent + prefix + flat + suffix);
    return;
  }
  const isArray = Array.isArray(value);
  if (isArray && (value as unknown[]).every((v) => v === null || typeof v !== "object")) {
    // A list of numbers, strings…: as many items a line as fit.
    out.push(indent + prefix + "[");
    const items = (value as unknown[]).map((v, i) => oneLine(v, 0) + (i < (value as unknown[]).length - 1 ? "," : ""));
    let line = "";
    for (const item of items) {
      if (line && indent.length + 2 + line.length + 1 + item.length > width) {
        out.push(indent + "  " + line);
        if (out.length > budget) return;
        line = item;
      } else line = line ? `${line} ${item}` : item;
    }
    if (line) out.push(indent + "  " + line);
    out.push(indent + "]" + suffix);
    return;
  }
  const entries: [string, unknown][] = isArray ? (value as unknown[]).map((v) => ["", v]) : Object.entries(value as Record<string, unknown>);
  out.push(indent + prefix + (isArray ? "[" : "{"));
  entries.forEach(([k, v], i) => layout(v, indent + "  ", width, depth + 1, out, budget, isArray ? "" : `${JSON.stringify(k)}: `, i < entries.length - 1 ? "," : ""));
  out.push(indent + (isArray ? "]" : "}") + suffix);
}

/** The arguments as indented JSON (short arrays and objects on one line), at most `maxLines` lines of at most `maxLineChars` characters. */
export function approvalArgsLines(args: unknown, limits: ApprovalTextLimits = {}): string[] {
  const maxLines = limits.maxLines ?? 20;
  const maxChars = limits.maxLineChars ?? 100;
  const raw: string[] = [];
  layout(args ?? {}, "", maxChars, 0, raw, maxLines);
  const lines = raw.map((l) => clip(safe(l), maxChars));
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, Math.max(1, maxLines - 1));
  return [...kept, "… (more lines not shown)"];
}

/**
 * The question as lines of text:
 * ```
 * approve tool `drop` for node `tools`? (its config says approval: "ask")
 * Drop a table.
 * arguments:
 *   {
 *     "table": "users"
 *   }
 * approve: the call runs with these arguments · deny: it is not run, and the model is told
 * (or {"choice": "approve", "args": {…}} to run it with other arguments, {"choice": "deny", "reason": "…"} to tell the model why)
 * ```
 * The answer line names the options the payload offers (an agent loop's `approve 3fa9c2d1`).
 */
export function toolApprovalLines(req: ToolApprovalRequest, limits: ApprovalTextLimits = {}): string[] {
  const why = req.gate === "policy" ? `its config says approval: "ask"` : `node \`${safe(req.node)}\` lists it in approve`;
  const lines = [`approve tool \`${safe(req.tool)}\` for node \`${safe(req.node)}\`? (${why})`];
  if (typeof req.description === "string" && req.description.trim()) lines.push(clip(safe(req.description.trim()), limits.maxLineChars ?? 100));
  lines.push("arguments:", ...approvalArgsLines(req.args, { ...limits, maxLineChars: (limits.maxLineChars ?? 100) - 2 }).map((l) => "  " + l));
  const approve = req.options.find((o) => typeof o === "string" && o.startsWith("approve")) ?? "approve";
  lines.push(`${safe(approve)}: the call runs with these arguments · deny: it is not run, and the model is told`);
  lines.push(`(or {"choice": ${JSON.stringify(approve)}, "args": {…}} to run it with other arguments, {"choice": "deny", "reason": "…"} to tell the model why)`);
  return lines;
}
