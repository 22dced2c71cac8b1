/**
 * String literals (`language.md` §1): `"…"` and `'…'` with JSON escapes plus `\u{…}`
 * and `\{` (a literal brace), and `"""…"""` multi-line strings with the dedent rule.
 */

export interface BadEscape {
  /** Offset of the backslash within the token image. */
  readonly offset: number;
  readonly text: string;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  "{": "{",
};

/** Invalid escapes of a quoted (not triple-quoted) string token image. */
export function checkEscapes(image: string): BadEscape[] {
  const bad: BadEscape[] = [];
  for (let i = 1; i < image.length; i++) {
    if (image[i] !== "\\") continue;
    const len = escapeLength(image, i);
    if (len === 0) {
      bad.push({ offset: i, text: image.slice(i, i + 2) });
      i += 1;
    } else i += len - 1;
  }
  return bad;
}

/** Length of the valid escape starting at `image[i] === "\\"`, or 0 if invalid. */
function escapeLength(image: string, i: number): number {
  const c = image[i + 1];
  if (c === undefined) return 0;
  if (c in SIMPLE_ESCAPES) return 2;
  if (c !== "u") return 0;
  if (image[i + 2] === "{") {
    const close = image.indexOf("}", i + 3);
    if (close < 0) return 0;
    const hex = image.slice(i + 3, close);
    if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) return 0;
    return close - i + 1;
  }
  return /^[0-9a-fA-F]{4}$/.test(image.slice(i + 2, i + 6)) ? 6 : 0;
}

export interface DecodedString {
  /** The string's value. */
  readonly value: string;
  /**
   * Only when requested: `map[k]` is the offset, within the token image, of the source
   * character that produced `value[k]`; `map[value.length]` is the end of the content.
   */
  readonly map?: number[];
  /** Whether the literal was `"""…"""`. */
  readonly multiline: boolean;
}

/** Decodes a string token image (quotes included; an unterminated one lacks its closing quote). */
export function decodeString(image: string, withMap = false): DecodedString {
  if (image.startsWith('"""')) return decodeTriple(image, withMap);
  const quote = image[0];
  const end = image.length > 1 && image.endsWith(quote) && !isEscapedAt(image, image.length - 1) ? image.length - 1 : image.length;
  let value = "";
  const map: number[] | undefined = withMap ? [] : undefined;
  for (let i = 1; i < end; ) {
    const c = image[i];
    if (c !== "\\") {
      value += c;
      map?.push(i);
      i++;
      continue;
    }
    const len = escapeLength(image, i);
    if (len === 0) {
      // Invalid escapes are reported by the lexer; keep the text as written.
      const two = image.slice(i, i + 2);
      for (let k = 0; k < two.length; k++) map?.push(i + k);
      value += two;
      i += Math.max(1, two.length);
      continue;
    }
    const e = image[i + 1];
    let decoded: string;
    if (e !== "u") decoded = SIMPLE_ESCAPES[e];
    else if (image[i + 2] === "{") decoded = String.fromCodePoint(parseInt(image.slice(i + 3, i + len - 1), 16));
    else decoded = String.fromCharCode(parseInt(image.slice(i + 2, i + 6), 16));
    for (let k = 0; k < decoded.length; k++) map?.push(i);
    value += decoded;
    i += len;
  }
  map?.push(end);
  return map ? { value, map, multiline: false } : { value, multiline: false };
}

function isEscapedAt(image: string, i: number): boolean {
  let n = 0;
  for (let k = i - 1; k >= 0 && image[k] === "\\"; k--) n++;
  return n % 2 === 1;
}

/**
 * `"""…"""`: the newline right after the opening quotes is dropped, then the common
 * leading indentation of the non-blank lines is removed from every line; nothing else
 * changes (no escapes are processed, except `\{` before `{` for a literal template brace).
 */
function decodeTriple(image: string, withMap: boolean): DecodedString {
  let start = 3;
  const closed = image.length >= 6 && image.endsWith('"""');
  const end = closed ? image.length - 3 : image.length;
  if (image[start] === "\r" && image[start + 1] === "\n") start += 2;
  else if (image[start] === "\n") start += 1;

  // Split into lines, remembering where each starts in the image.
  const lines: { text: string; at: number }[] = [];
  let lineStart = start;
  for (let i = start; i <= end; i++) {
    if (i === end || image[i] === "\n") {
      lines.push({ text: image.slice(lineStart, i), at: lineStart });
      lineStart = i + 1;
    }
  }
  let indent = Infinity;
  for (const l of lines) {
    const body = l.text.replace(/\r$/, "");
    if (body.trim() === "") continue;
    indent = Math.min(indent, body.length - body.trimStart().length);
  }
  if (!Number.isFinite(indent)) indent = 0;

  let value = "";
  const map: number[] | undefined = withMap ? [] : undefined;
  lines.forEach((l, idx) => {
    let cut = 0;
    while (cut < indent && cut < l.text.length && (l.text[cut] === " " || l.text[cut] === "\t")) cut++;
    for (let k = cut; k < l.text.length; k++) {
      if (l.text[k] === "\\" && l.text[k + 1] === "{" && l.text[k + 2] === "{") {
        value += "{";
        map?.push(l.at + k);
        k++;
        value += "{";
        map?.push(l.at + k);
        k++;
        continue;
      }
      value += l.text[k];
      map?.push(l.at + k);
    }
    if (idx < lines.length - 1) {
      value += "\n";
      map?.push(l.at + l.text.length);
    }
  });
  map?.push(end);
  return map ? { value, map, multiline: true } : { value, multiline: true };
}
