/**
 * Text from outside the program (thread ids, checkpoint files, model replies, error
 * messages, run state) made safe to print to a terminal (issue 10 §3): control
 * characters are escaped so an id cannot move the cursor, recolour or retitle the
 * terminal, and JSON that nests too deeply for `JSON.stringify` is still printed.
 */

// C0 controls except \n and \t, DEL, C1 controls, and bidi embeddings/overrides/isolates.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_SPACE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escape = (ch: string) => {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
};

/** `text` with control characters (but not newline and tab) shown as `\xHH`/`\uHHHH`. */
export function printable(text: string): string {
  return text.replace(CONTROL, escape);
}

/** `text` on one line: every control character, newline and tab included, escaped (for ids and names). */
export function printableId(text: string): string {
  return text.replace(CONTROL_OR_SPACE, escape);
}

/** Whether `text` holds a character `printableId` would escape. */
export function hasControlChars(text: string): boolean {
  CONTROL_OR_SPACE.lastIndex = 0;
  return CONTROL_OR_SPACE.test(text);
}

/** Deepest level `boundedJson` writes before putting a marker string in place of the value. */
export const PRINT_DEPTH = 64;

/**
 * `JSON.stringify(value, null, space)`, except that a value nesting too deeply for it
 * (a RangeError: the stack) is written with everything below `PRINT_DEPTH` levels
 * replaced by the string `"… (nested deeper than 64 levels)"`.
 */
export function boundedJson(value: unknown, space?: number): string {
  try {
    return JSON.stringify(value, null, space) ?? "undefined";
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return JSON.stringify(cut(value, 0), null, space) ?? "undefined";
  }
}

function cut(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== "object") return v;
  if (depth >= PRINT_DEPTH) return `… (nested deeper than ${PRINT_DEPTH} levels)`;
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return cut((v as { toJSON: () => unknown }).toJSON(), depth);
  if (Array.isArray(v)) return v.map((x) => cut(x, depth + 1));
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, x] of Object.entries(v)) out[k] = cut(x, depth + 1);
  return out;
}
