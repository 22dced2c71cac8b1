/**
 * Shared check behind the Known*Rule files: a name the source binds must be granted by
 * the registry (`language.md` intro: every model, tool, agent, script, reducer and route
 * function is a name the registry must grant). A `null` category is not checked.
 */
import type { Span } from "../../grammar/span.js";
import { suggestionList } from "../../grammar/suggest.js";
import type { RuleContext } from "./rule.js";

export interface NameCheck {
  /** Names the registry grants; null = unchecked. */
  readonly granted: ReadonlySet<string> | null | undefined;
  /** Names the file itself provides (inline agents, graphs of the file), looked up, not copied. */
  readonly local?: ReadonlyMap<string, unknown>;
  readonly code: string;
  /** "model", "tool", … */
  readonly noun: string;
  /** Context for the message, e.g. "node `agent`". */
  readonly owner: string;
}

export function checkName(ctx: RuleContext, name: string, span: Span, c: NameCheck): void {
  if (!name) return;
  if (c.local?.has(name)) return;
  if (!ctx.registry || c.granted === null || c.granted === undefined) return;
  if (c.granted.has(name)) return;
  const suggestions = suggestionList(name, names(c));
  // Listed only when there is no suggestion, and sorted only while that is cheap: a
  // file's own agents and graphs count too, and this runs per unknown name.
  const size = c.granted.size + (c.local?.size ?? 0);
  const known = suggestions.length ? [] : size <= MAX_SORTED ? [...names(c)].sort() : [...take(names(c), 13)];
  ctx.report(c.code, `${c.noun} \`${name}\` is not registered (used by ${c.owner})`, span, {
    label: `unknown ${c.noun}`,
    ...(suggestions.length
      ? { help: `did you mean \`${suggestions[0]}\`?`, fixes: [{ span: quoted(span, name), replacement: suggestions[0], description: `replace \`${name}\` with \`${suggestions[0]}\`` }] }
      : { help: known.length ? `registered ${c.noun}s: ${known.slice(0, 12).map((k) => `\`${k}\``).join(", ")}${size > 12 ? ", …" : ""}` : `no ${c.noun}s are registered; add one to rag.config.ts` }),
  });
}

/** Most names sorted for a help (past it, the first ones in the registry's order). */
const MAX_SORTED = 200;

/** The registry's names then the file's own, as iterated (no copy per unknown name). */
function* names(c: NameCheck): Generator<string> {
  yield* c.granted ?? [];
  if (c.local) yield* c.local.keys();
}

/** The first `n` items of `items`. */
function* take(items: Iterable<string>, n: number): Generator<string> {
  if (n <= 0) return;
  for (const x of items) {
    yield x;
    if (--n <= 0) return;
  }
}

/** The span of the name inside a quoted string literal's span (quotes excluded). */
function quoted(span: Span, name: string): Span {
  const width = span.end.offset - span.start.offset;
  if (width !== name.length + 2 || span.start.line !== span.end.line) return span;
  const start = { line: span.start.line, column: span.start.column + 1, offset: span.start.offset + 1 };
  const end = { line: span.end.line, column: span.end.column - 1, offset: span.end.offset - 1 };
  return { start, end };
}
