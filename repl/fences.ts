/**
 * Fenced code blocks (```` ```lang … ``` ````) of a model's reply, found in one pass.
 * The regular expression they were found with (`/```lang[^\n]*\n([\s\S]*?)```/g`) is
 * quadratic on a reply that opens fences without a newline: V8 ran `[^\n]*` to the end
 * of the text again from every opening, and a 512 kB reply of "```ragsh" repeated held the
 * event loop for 30 s (a CodeAct node, `rag author`). Same blocks, linear time: from an
 * opening fence, the info string runs to the line's end and the body to the next "```";
 * an opening with no newline or no closing fence after it ends the search (no later
 * opening could have one either).
 */

/** One fenced block: the fence's info string (after the backticks, to the end of its line) and the body. */
export interface FencedBlock {
  readonly info: string;
  readonly body: string;
}

/**
 * The fenced blocks of `text`, in order. With `opening` (e.g. "ragsh"), only fences whose
 * info string starts with it count (```` ```ragsh ````; other fences are text).
 */
export function fencedBlocks(text: string, opening = ""): FencedBlock[] {
  const out: FencedBlock[] = [];
  const open = "```" + opening;
  let at = 0;
  for (;;) {
    const start = text.indexOf(open, at);
    if (start < 0) break;
    const nl = text.indexOf("\n", start + open.length);
    if (nl < 0) break;
    const close = text.indexOf("```", nl + 1);
    if (close < 0) break;
    out.push({ info: text.slice(start + 3, nl), body: text.slice(nl + 1, close) });
    at = close + 3;
  }
  return out;
}
