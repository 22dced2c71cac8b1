/**
 * A node whose `}` was forgotten: the parser ends its body at the next `node NAME {`
 * (parser-node.ts `startsNodeDecl`) and reports "expected `}`, found `node`". This turns
 * that report into `E-rag-unclosed-block`, which names the node left open, points at
 * its `{`, and offers the `}` as a fix — the way compilers report an unclosed delimiter
 * (rustc's "unclosed delimiter"), instead of a bare token mismatch.
 */
import type { IToken } from "#chevrotain";
import { diagnostic, type Diagnostic } from "../diagnostic.js";
import type { LineIndex } from "../span.js";

/** What a recognition error carries here (Chevrotain's exceptions). */
interface RecognitionError {
  readonly name: string;
  readonly message: string;
  readonly token: IToken;
}

/**
 * The `E-rag-unclosed-block` diagnostic for `err` when it is a node body cut short by the
 * next node declaration; undefined for any other error. `tokens` are the lexed tokens
 * (`err.token` among them).
 */
export function unclosedNodeDiagnostic(err: RecognitionError, tokens: readonly IToken[], lines: LineIndex): Diagnostic | undefined {
  const at = err.token;
  if (err.name !== "MismatchedTokenException" || at.image !== "node" || !err.message.startsWith("expected `}`")) return undefined;
  const i = tokens.indexOf(at);
  if (i < 1 || tokens[i + 2]?.image !== "{") return undefined;
  // The `{` left open: walking back from the new declaration, the first `{` not matched by a `}`.
  const open = unmatchedOpen(tokens, i - 1) ?? -1;
  if (open < 2 || tokens[open - 2]!.image !== "node") return undefined;
  const name = tokens[open - 1]!.image;
  const next = tokens[i + 1]!.image;
  const last = tokens[i - 1]!;
  const lastEnd = last.startOffset + last.image.length;
  const decl = tokens[open - 2]!;
  const declLine = lines.position(decl.startOffset).line;
  const indent = /^[ \t]*/.exec(lines.lineText(declLine))?.[0] ?? "";
  const lastLine = lines.position(lastEnd).line;
  const openLabel = { span: lines.span(tokens[open]!.startOffset, tokens[open]!.startOffset + 1), message: `node \`${name}\` opens here` };
  const message = `node \`${name}\` is not closed: \`}\` is missing before \`node ${next}\``;
  const where = lines.span(at.startOffset, at.startOffset + at.image.length);
  const label = `node \`${next}\` starts here, inside node \`${name}\``;
  // A `}` lined up with `node NAME {` was meant to close the node: the `}` missing is an
  // inner block's (`set {`, `routes {` …), the one that `}` closed instead. No fix then:
  // where the inner block ends is a guess.
  if (last.image === "}" && lines.position(last.startOffset).column === lines.position(decl.startOffset).column) {
    const inner = unmatchedOpen(tokens, i - 2);
    if (inner !== undefined && inner > open) {
      const innerLine = lines.position(tokens[inner]!.startOffset).line;
      return diagnostic("E-rag-unclosed-block", message, where, {
        label,
        labels: [openLabel, { span: lines.span(tokens[inner]!.startOffset, tokens[inner]!.startOffset + 1), message: `the \`}\` on line ${lastLine} closes this \`{\` instead` }],
        help: `a \`}\` is missing inside node \`${name}\`: close the block opened on line ${innerLine} where it ends`,
      });
    }
  }
  // `}` on a line of its own after the body's last token, at the indentation of `node NAME {`.
  const fix = { span: lines.span(lastEnd, lastEnd), replacement: `\n${indent}}`, description: `close node \`${name}\` after line ${lastLine}` };
  return diagnostic("E-rag-unclosed-block", message, where, {
    label,
    labels: [openLabel],
    help: `close node \`${name}\` with \`}\` after its last item (line ${lastLine})`,
    fixes: [fix],
  });
}

/**
 * Index of the first `{` at or before `from`, walking back, that no `}` between it and
 * `from` closes; undefined when there is none. (The `{` a `}` at `c` matches is
 * `unmatchedOpen(tokens, c - 1)`.)
 */
function unmatchedOpen(tokens: readonly IToken[], from: number): number | undefined {
  let depth = 0;
  for (let j = from; j >= 0; j--) {
    const image = tokens[j]!.image;
    if (image === "}") depth++;
    else if (image === "{" && depth-- === 0) return j;
  }
  return undefined;
}
