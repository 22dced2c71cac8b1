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

/** What {@link fixAll} returns. */
export interface FixAllResult {
  /** The fixed text (the source itself when the fixes do not settle; see `settled`). */
  readonly text: string;
  /** The edits that produced `text`, in the order applied (empty when `text` is the source). */
  readonly applied: AppliedFix[];
  /** The diagnostics of `text`. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * `true` when `text` is a fixpoint (no fix applies to it any more); `false` when the
   * fixes went round a cycle (`text` is then a fixed member of that cycle) or did not
   * settle within the round limit (`text` is then the unchanged source).
   */
  readonly settled: boolean;
}

/** Compiles done per round at most: the first try plus retries without ineffective fixes. */
const MAX_TRIES_PER_ROUND = 8;

/** Compiles one {@link fixAll} call may do in all (bounds the work on a large hostile file). */
export const MAX_FIX_COMPILES = 64;

/** What `fixAll` compiles with: source and options in, diagnostics out. */
export type CheckFn = (source: string, options: CompileOptions) => { readonly diagnostics: readonly Diagnostic[] };

/**
 * One round of fixing, a pure function of `text` (its diagnostics are `diagnostics`):
 * applies every non-overlapping fix; if some applied fix leaves the diagnostic it was
 * meant to remove (same code and message, no fewer of them), that diagnostic's fixes
 * are withdrawn and the round retried on the same text. Returns `undefined` when no
 * effective fix applies (the text is a fixpoint).
 *
 * Nothing is remembered between rounds, so what a round does depends on its text only:
 * that is what makes {@link fixAll} idempotent. (A memory of "blocked" diagnostics kept
 * across rounds, keyed by code and message, went wrong when two diagnostics shared a
 * message — two graphs of the same name — and a second `--fix` then applied what the
 * first had blocked.)
 */
function fixRound(text: string, diagnostics: readonly Diagnostic[], options: CompileOptions, work: { compiles: number }, check: CheckFn): { text: string; applied: AppliedFix[]; diagnostics: readonly Diagnostic[] } | "out-of-work" | undefined {
  const withdrawn = new Set<string>();
  for (let attempt = 0; attempt < MAX_TRIES_PER_ROUND; attempt++) {
    const candidates = diagnostics.filter((d) => d.fixes.length && !withdrawn.has(keyOf(d)));
    const r = applyFixes(text, candidates);
    if (!r.applied.length || r.text === text) return undefined;
    if (++work.compiles > MAX_FIX_COMPILES) return "out-of-work";
    const next = check(r.text, options).diagnostics;
    const left = new Set(next.filter((d) => d.fixes.length).map(keyOf));
    const used = candidates.filter((d) => r.applied.some((a) => a.code === d.code && sameStart(a, d)));
    const ineffective = used.filter((d) => left.has(keyOf(d)) && countOf(next, keyOf(d)) >= countOf(diagnostics, keyOf(d)));
    if (!ineffective.length) return { text: r.text, applied: [...r.applied], diagnostics: next };
    for (const d of ineffective) withdrawn.add(keyOf(d));
  }
  return undefined;
}

/**
 * Compiles, applies fixes, and repeats until no fix applies (at most `rounds` rounds):
 * fixes that overlapped in one round apply in the next, and a fix may reveal another.
 * Each round is a pure function of its text (see `fixRound`: a fix that leaves its own
 * diagnostic is withdrawn within the round), so the result is stable — applying
 * `fixAll` to its own result changes nothing, for any input (issue 10 §3):
 *
 * - a fixpoint is returned as is (`settled: true`);
 * - if the rounds come back to a text seen before, they go round a cycle, and the
 *   cycle's shortest text (then the first in code-unit order) is returned — the same
 *   one whichever member the walk starts from (`settled: false`);
 * - after `rounds` rounds (or {@link MAX_FIX_COMPILES} compiles) without either, the
 *   source is returned unchanged with no edits (`settled: false`): a clear "the fixes do
 *   not settle" rather than a text that a second `--fix` would change again. (Both
 *   bounds count work that depends on the text only, so this too is stable.)
 *
 * `check` is the compile that reports the diagnostics (default: {@link compile}); tests
 * pass a wrapper to plant a rule that never settles.
 */
export function fixAll(source: string, options: CompileOptions = {}, rounds = 32, check: CheckFn = compile): FixAllResult {
  const first = check(source, options).diagnostics;
  const trail: { text: string; applied: AppliedFix[]; diagnostics: readonly Diagnostic[] }[] = [{ text: source, applied: [], diagnostics: first }];
  const at = new Map<string, number>([[source, 0]]);
  const work = { compiles: 1 };
  for (let i = 0; i < rounds; i++) {
    const cur = trail[trail.length - 1];
    const r = fixRound(cur.text, cur.diagnostics, options, work, check);
    if (r === "out-of-work") break;
    if (!r) return { ...cur, settled: true };
    const back = at.get(r.text);
    if (back !== undefined) {
      let best = trail[back];
      for (const t of trail.slice(back + 1)) if (t.text.length < best.text.length || (t.text.length === best.text.length && t.text < best.text)) best = t;
      return { ...best, settled: false };
    }
    at.set(r.text, trail.length);
    trail.push({ text: r.text, applied: [...cur.applied, ...r.applied], diagnostics: r.diagnostics });
  }
  return { text: source, applied: [], diagnostics: first, settled: false };
}

const keyOf = (d: Diagnostic) => `${d.code}\u0000${d.message}`;

function countOf(ds: readonly Diagnostic[], k: string): number {
  let n = 0;
  for (const d of ds) if (keyOf(d) === k) n++;
  return n;
}

/** Whether `a` records the edit of `d` (applyFixes reports a diagnostic's earliest fix). */
function sameStart(a: AppliedFix, d: Diagnostic): boolean {
  const first = d.fixes.reduce((m, f) => (f.span.start.offset < m.span.start.offset ? f : m));
  return a.line === first.span.start.line && a.column === first.span.start.column;
}
