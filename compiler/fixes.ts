/**
 * Applying machine fixes (`language.md` §5: "a fix (`{span, replacement}`) is attached
 * wherever the right edit is unambiguous, so editors and LLM repair loops can apply
 * it"). Pure text edits, shared by `rag check --fix`, the studio and repair loops.
 *
 * The fixes of one diagnostic are one edit: all of them apply, or none. Edits that
 * overlap an edit already taken (earlier in the source) are skipped, never merged — the
 * caller re-checks and fixes again, which is how `fixAll` converges. Identical edits
 * (the same fix reported twice) count once.
 */
import type { Diagnostic, Fix } from "../grammar/diagnostic.js";
import { compile, type CompileOptions } from "./compile.js";

export interface AppliedFix {
  readonly code: string;
  /** 1-based line and column of the edit in the text it was applied to. */
  readonly line: number;
  readonly column: number;
  readonly description: string;
}

export interface FixResult {
  readonly text: string;
  readonly applied: readonly AppliedFix[];
  /** Fixes left out because they overlap one that was applied. */
  readonly skipped: readonly AppliedFix[];
}

/** Whether two edits conflict: ranges that intersect, or an insertion inside or at the edge of the other edit. */
function overlaps(a: Fix, b: Fix): boolean {
  const [as, ae, bs, be] = [a.span.start.offset, a.span.end.offset, b.span.start.offset, b.span.end.offset];
  if (as === ae || bs === be) return as <= be && bs <= ae;
  return as < be && bs < ae;
}

/** Applies every non-overlapping fix of `diagnostics` to `source` (spans refer to `source`). */
export function applyFixes(source: string, diagnostics: readonly Diagnostic[]): FixResult {
  const groups = diagnostics
    .filter((d) => d.fixes.length)
    .map((d) => ({ d, fixes: [...d.fixes].sort((a, b) => a.span.start.offset - b.span.start.offset) }))
    .sort((a, b) => a.fixes[0].span.start.offset - b.fixes[0].span.start.offset);
  const taken: Fix[] = [];
  const applied: AppliedFix[] = [];
  const skipped: AppliedFix[] = [];
  const seen = new Set<string>();
  for (const { d, fixes } of groups) {
    const key = fixes.map((f) => `${f.span.start.offset}:${f.span.end.offset}:${f.replacement}`).join("|");
    const info = { code: d.code, line: fixes[0].span.start.line, column: fixes[0].span.start.column, description: fixes.map((f) => f.description).join("; ") };
    if (seen.has(key)) continue;
    const valid = fixes.every((f) => f.span.start.offset >= 0 && f.span.end.offset <= source.length && f.span.start.offset <= f.span.end.offset);
    if (!valid || fixes.some((f, i) => fixes.slice(i + 1).some((g) => overlaps(f, g))) || fixes.some((f) => taken.some((t) => overlaps(f, t)))) {
      skipped.push(info);
      continue;
    }
    seen.add(key);
    taken.push(...fixes);
    applied.push(info);
  }
  let text = source;
  for (const f of [...taken].sort((a, b) => b.span.start.offset - a.span.start.offset || b.span.end.offset - a.span.end.offset)) {
    text = text.slice(0, f.span.start.offset) + f.replacement + text.slice(f.span.end.offset);
  }
  return { text, applied, skipped };
}

/**
 * Compiles, applies fixes, and repeats until no fix applies (at most `rounds` times):
 * fixes that overlapped in one round apply in the next, and a fix may reveal another.
 * Settles, so applying it to its own result changes nothing (idempotent): a round whose
 * fixes leave one of the diagnostics they were meant to remove (same code and message)
 * is undone and those diagnostics' fixes are not offered again, and a text seen before
 * ends the loop (issue 10 §3: `node a [ next END }` gained ` next END` on every call).
 */
export function fixAll(source: string, options: CompileOptions = {}, rounds = 32): { text: string; applied: AppliedFix[]; diagnostics: readonly Diagnostic[] } {
  let text = source;
  const applied: AppliedFix[] = [];
  let diagnostics = compile(text, options).diagnostics;
  const blocked = new Set<string>();
  const seen = new Set<string>([text]);
  const key = (d: Diagnostic) => `${d.code}\u0000${d.message}`;
  for (let i = 0; i < rounds; i++) {
    const candidates = diagnostics.filter((d) => d.fixes.length && !blocked.has(key(d)));
    const r = applyFixes(text, candidates);
    if (!r.applied.length || r.text === text || seen.has(r.text)) break;
    const next = compile(r.text, options).diagnostics;
    const left = new Set(next.filter((d) => d.fixes.length).map(key));
    const used = candidates.filter((d) => r.applied.some((a) => a.code === d.code && sameStart(a, d)));
    const ineffective = used.filter((d) => left.has(key(d)) && countOf(next, key(d)) >= countOf(diagnostics, key(d)));
    if (ineffective.length) {
      for (const d of ineffective) blocked.add(key(d));
      continue; // retry this text without them
    }
    seen.add(r.text);
    text = r.text;
    applied.push(...r.applied);
    diagnostics = next;
  }
  return { text, applied, diagnostics };
}

function countOf(ds: readonly Diagnostic[], k: string): number {
  let n = 0;
  for (const d of ds) if (`${d.code}\u0000${d.message}` === k) n++;
  return n;
}

/** Whether `a` records the edit of `d` (applyFixes reports a diagnostic's earliest fix). */
function sameStart(a: AppliedFix, d: Diagnostic): boolean {
  const first = d.fixes.reduce((m, f) => (f.span.start.offset < m.span.start.offset ? f : m));
  return a.line === first.span.start.line && a.column === first.span.start.column;
}
