/**
 * Machine fixes that add an item to a `{ … }` body (a node or a graph): the inserted
 * text follows the body's layout — on its own line with the items' indentation in a
 * multi-line body, inline before the `}` in a one-line body.
 */
import type { Fix } from "../../grammar/diagnostic.js";
import type { Span } from "../../grammar/span.js";
import type { RuleContext } from "./rule.js";

/**
 * A fix inserting `item` (e.g. `next END`) as the last item of the body that `decl`
 * spans (its last item ends at `lastItemEnd`), or undefined unless only white space and
 * separators stand between that item and the closing `}` — a body cut short or swallowed
 * by a syntax error (an unterminated string) is left alone, since any edit would be a guess.
 */
export function appendItemFix(ctx: RuleContext, decl: Span, lastItemEnd: number, item: string, description: string): Fix | undefined {
  const src = ctx.source;
  const close = decl.end.offset - 1;
  if (close < 0 || src[close] !== "}" || lastItemEnd > close || !/^[\s,;]*$/.test(src.slice(lastItemEnd, close))) return undefined;
  let lineStart = close;
  while (lineStart > 0 && src[lineStart - 1] !== "\n" && src[lineStart - 1] !== "\r") lineStart--;
  const before = src.slice(lineStart, close);
  if (/^[ \t]*$/.test(before) && lineStart > decl.start.offset) {
    const body = src.slice(decl.start.offset, lineStart);
    const itemIndent = /\n([ \t]+)\S[^\n]*\n?$/.exec(body.replace(/\r/g, ""))?.[1] ?? before + "  ";
    const at = ctx.lines.position(lineStart);
    return { span: { start: at, end: at }, replacement: `${itemIndent}${item}\n`, description };
  }
  const at = ctx.lines.position(close);
  const prev = src[close - 1];
  const replacement = prev === " " || prev === "\t" ? `${item} ` : ` ${item} `;
  return { span: { start: at, end: at }, replacement, description };
}
