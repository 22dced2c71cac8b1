/**
 * The scanner of the `.rag` fast path (fast-parse.ts): source text → token arrays, for
 * well-formed text only. It accepts exactly the tokens the Chevrotain lexer (lexer.ts,
 * tokens.ts) would produce, with the same boundaries, keyword retyping, durations and
 * `50k`/`2M` counts, and returns `undefined` ("bail") on anything that lexer would report
 * or that the fast path does not handle: an invalid character, `#`, an unterminated
 * string or comment, an invalid escape, a string over the length limit, a `/…/` string
 * pattern, nesting beyond the limit. Never imports Chevrotain.
 */
import type { Comment } from "./ast.js";
import { checkEscapes } from "./strings.js";
import { KEYWORD_WORDS, type KeywordWord } from "./words.js";

/**
 * Token kinds of the fast path (one byte each). `Word` is a word usable as a name: a
 * plain name or a (contextual) keyword, `Scanned.kw` tells which keyword.
 */
export const T = {
  EOF: 0,
  Word: 1,
  Start: 2,
  End: 3,
  True: 4,
  False: 5,
  Null: 6,
  Str: 7,
  Triple: 8,
  Num: 9,
  Duration: 10,
  Arrow: 11,
  EqEq: 12,
  NotEq: 13,
  LtEq: 14,
  GtEq: 15,
  AndAnd: 16,
  OrOr: 17,
  LCurly: 18,
  RCurly: 19,
  LBracket: 20,
  RBracket: 21,
  LParen: 22,
  RParen: 23,
  Comma: 24,
  Colon: 25,
  Semicolon: 26,
  Dot: 27,
  Question: 28,
  Pipe: 29,
  Eq: 30,
  Lt: 31,
  Gt: 32,
  Plus: 33,
  Minus: 34,
  Star: 35,
  Slash: 36,
  Percent: 37,
  Bang: 38,
} as const;
export type TokenKind = (typeof T)[keyof typeof T];

/** Keyword ids (`K.graph` …): 1-based positions in `KEYWORD_WORDS`; 0 is a plain name. */
export const K = Object.fromEntries(KEYWORD_WORDS.map((w, i) => [w, i + 1])) as Readonly<Record<KeywordWord, number>>;

/** Scanned tokens: parallel arrays indexed by token, ending with one `T.EOF`. */
export interface Scanned {
  readonly count: number;
  readonly kinds: Uint8Array;
  /** Keyword id of a `T.Word` (0 for a plain name). */
  readonly kw: Uint8Array;
  /** 0-based offsets `[start, end)` in the scanned text. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The text of words, numbers and durations (undefined for other tokens). */
  readonly images: (string | undefined)[];
  readonly comments: Comment[];
}

export interface ScanOptions {
  /** Maximum bracket nesting (`FrontEndLimits.nestingDepth`); more bails. */
  readonly nestingDepth: number;
  /** Maximum string literal length (`FrontEndLimits.stringLength`); longer bails. */
  readonly stringLength: number;
  /** Bail on any comment (used for `{{ }}` fragments, whose comments the Chevrotain path drops). */
  readonly noComments?: boolean;
}

/** Deepest nesting the fast path takes on, whatever the limit (keeps both parsers' stacks safe). */
const MAX_FAST_DEPTH = 100;

/**
 * The token kind and keyword id of each word the scanner meets, by spelling, packed as
 * `kind << 8 | keyword id` (`T.Word << 8` for a plain name).
 */
const WORD_CODE: ReadonlyMap<string, number> = new Map([
  ...KEYWORD_WORDS.map((w, i) => [w, (T.Word << 8) | (i + 1)] as const),
  ["START", T.Start << 8],
  ["END", T.End << 8],
  ["true", T.True << 8],
  ["false", T.False << 8],
  ["null", T.Null << 8],
]);

/**
 * The words of one scan, interned by spelling: a word seen before reuses its string
 * (and its kind), so the scanner slices each distinct word once instead of once per
 * occurrence. A large graph repeats a few dozen keywords and each node name a few
 * times: interning halves the strings the AST holds on to (measured: 10,000-node graph,
 * ~300k words → ~20k strings). Open addressing over a power-of-two table, keyed by an
 * FNV-1a hash of the word's code units.
 */
class WordTable {
  private cap = 1024;
  private words: (string | undefined)[] = new Array<string | undefined>(1024).fill(undefined);
  private codes = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private size = 0;

  /** The interned string of `text[start, end)` (hash `h`), and its code (`WORD_CODE`), in `code`. */
  code = 0;
  intern(text: string, start: number, end: number, h: number): string {
    const len = end - start;
    let mask = this.cap - 1;
    let i = h & mask;
    for (;;) {
      const w = this.words[i];
      if (w === undefined) break;
      if (this.hashes[i] === h && w.length === len) {
        let j = 0;
        while (j < len && w.charCodeAt(j) === text.charCodeAt(start + j)) j++;
        if (j === len) {
          this.code = this.codes[i]!;
          return w;
        }
      }
      i = (i + 1) & mask;
    }
    const w = text.slice(start, end);
    const code = WORD_CODE.get(w) ?? T.Word << 8;
    this.words[i] = w;
    this.codes[i] = code;
    this.hashes[i] = h;
    this.code = code;
    if (++this.size * 2 > this.cap) {
      const old = this.words;
      const oldCodes = this.codes;
      const oldHashes = this.hashes;
      this.cap *= 2;
      mask = this.cap - 1;
      this.words = new Array<string | undefined>(this.cap).fill(undefined);
      this.codes = new Int32Array(this.cap);
      this.hashes = new Int32Array(this.cap);
      for (let k = 0; k < old.length; k++) {
        const ow = old[k];
        if (ow === undefined) continue;
        let m = oldHashes[k]! & mask;
        while (this.words[m] !== undefined) m = (m + 1) & mask;
        this.words[m] = ow;
        this.codes[m] = oldCodes[k]!;
        this.hashes[m] = oldHashes[k]!;
      }
    }
    return w;
  }
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isWordChar = (c: number) => isWordStart(c) || isDigit(c);

/** Scans `text`; `undefined` when the fast path must not handle it (see the module comment). */
export function fastScan(text: string, options: ScanOptions): Scanned | undefined {
  const n = text.length;
  let cap = Math.max(16, (n >> 2) + 16);
  let kinds = new Uint8Array(cap);
  let kw = new Uint8Array(cap);
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  const images: (string | undefined)[] = [];
  const comments: Comment[] = [];
  const words = new WordTable();
  const maxDepth = Math.min(options.nestingDepth, MAX_FAST_DEPTH);
  // checkNesting (lexer.ts): true for a type argument `<`, false for a bracket
  const open: boolean[] = [];
  let count = 0;

  const push = (kind: TokenKind, start: number, end: number, image: string | undefined, k: number): void => {
    if (count + 1 >= cap) {
      cap *= 2;
      const k2 = new Uint8Array(cap);
      k2.set(kinds);
      kinds = k2;
      const w2 = new Uint8Array(cap);
      w2.set(kw);
      kw = w2;
      const s2 = new Int32Array(cap);
      s2.set(starts);
      starts = s2;
      const e2 = new Int32Array(cap);
      e2.set(ends);
      ends = e2;
    }
    kinds[count] = kind;
    kw[count] = k;
    starts[count] = start;
    ends[count] = end;
    images[count] = image;
    count++;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // white space: [ \t\r\n\f\v\u00a0\ufeff]
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff) {
      i++;
      continue;
    }
    if (isWordStart(c)) {
      let h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (!isWordChar(d)) break;
        h = Math.imul(h ^ d, 0x01000193);
      }
      const w = words.intern(text, i, j, h);
      const code = words.code;
      push((code >> 8) as TokenKind, i, j, w, code & 0xff);
      i = j;
      continue;
    }
    if (isDigit(c)) {
      // \d+(?:\.\d+)?(?:[eE][+-]?\d+)?
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
        j += 2;
        while (j < n && isDigit(text.charCodeAt(j))) j++;
      }
      const e = text.charCodeAt(j);
      if (e === 101 || e === 69) {
        let m = j + 1;
        const sign = text.charCodeAt(m);
        if (sign === 43 || sign === 45) m++;
        if (isDigit(text.charCodeAt(m))) {
          m++;
          while (m < n && isDigit(text.charCodeAt(m))) m++;
          j = m;
        }
      }
      // a word directly after: a unit (`30s`), a count suffix (`50k`), or a separate word
      if (j < n && isWordStart(text.charCodeAt(j))) {
        let m = j + 1;
        while (m < n && isWordChar(text.charCodeAt(m))) m++;
        const unitLen = m - j;
        const u0 = text.charCodeAt(j);
        const isUnit = unitLen === 1 ? u0 === 115 || u0 === 109 || u0 === 104 : unitLen === 2 && u0 === 109 && text.charCodeAt(j + 1) === 115; // s m h | ms
        if (isUnit) {
          push(T.Duration, i, m, text.slice(i, m), 0);
          i = m;
          continue;
        }
        if (unitLen === 1 && (u0 === 107 || u0 === 77)) {
          push(T.Num, i, m, text.slice(i, m), 0);
          i = m;
          continue;
        }
      }
      push(T.Num, i, j, text.slice(i, j), 0);
      i = j;
      continue;
    }
    if (c === 34 || c === 39) {
      // "…" / '…' / """…"""
      if (c === 34 && text.charCodeAt(i + 1) === 34 && text.charCodeAt(i + 2) === 34) {
        const close = text.indexOf('"""', i + 3);
        if (close < 0) return undefined;
        const end = close + 3;
        if (end - i > options.stringLength) return undefined;
        push(T.Triple, i, end, undefined, 0);
        i = end;
        continue;
      }
      let j = i + 1;
      let escapes = false;
      for (;;) {
        if (j >= n) return undefined;
        const d = text.charCodeAt(j);
        if (d === c) break;
        if (d === 10 || d === 13) return undefined;
        if (d === 92) {
          const e = text.charCodeAt(j + 1);
          if (j + 1 >= n || e === 10 || e === 13) return undefined;
          escapes = true;
          j += 2;
          continue;
        }
        j++;
      }
      const end = j + 1;
      if (end - i > options.stringLength) return undefined;
      if (escapes && checkEscapes(text.slice(i, end)).length > 0) return undefined;
      push(T.Str, i, end, undefined, 0);
      i = end;
      continue;
    }
    let kind: TokenKind;
    let len = 1;
    const c2 = text.charCodeAt(i + 1);
    switch (c) {
      case 47: // /
        if (c2 === 47) {
          if (options.noComments) return undefined;
          let j = i + 2;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === 10 || d === 13) break;
            j++;
          }
          comments.push({ kind: "line", text: text.slice(i, j), start: i, end: j });
          i = j;
          continue;
        }
        if (c2 === 42) {
          if (options.noComments) return undefined;
          const close = text.indexOf("*/", i + 2);
          if (close < 0) return undefined;
          comments.push({ kind: "block", text: text.slice(i, close + 2), start: i, end: close + 2 });
          i = close + 2;
          continue;
        }
        // after `string (`, a `/` starts a pattern (RegexLit): not handled here
        if (count >= 2 && kinds[count - 1] === T.LParen && images[count - 2] === "string") return undefined;
        kind = T.Slash;
        break;
      case 45: // -
        if (c2 === 62) {
          kind = T.Arrow;
          len = 2;
        } else kind = T.Minus;
        break;
      case 61: // =
        if (c2 === 61) {
          kind = T.EqEq;
          len = 2;
        } else kind = T.Eq;
        break;
      case 33: // !
        if (c2 === 61) {
          kind = T.NotEq;
          len = 2;
        } else kind = T.Bang;
        break;
      case 60: // <
        if (c2 === 61) {
          kind = T.LtEq;
          len = 2;
        } else kind = T.Lt;
        break;
      case 62: // >
        if (c2 === 61) {
          kind = T.GtEq;
          len = 2;
        } else kind = T.Gt;
        break;
      case 38: // &
        if (c2 !== 38) return undefined;
        kind = T.AndAnd;
        len = 2;
        break;
      case 124: // |
        if (c2 === 124) {
          kind = T.OrOr;
          len = 2;
        } else kind = T.Pipe;
        break;
      case 123: kind = T.LCurly; break;
      case 125: kind = T.RCurly; break;
      case 91: kind = T.LBracket; break;
      case 93: kind = T.RBracket; break;
      case 40: kind = T.LParen; break;
      case 41: kind = T.RParen; break;
      case 44: kind = T.Comma; break;
      case 58: kind = T.Colon; break;
      case 59: kind = T.Semicolon; break;
      case 46: kind = T.Dot; break;
      case 63: kind = T.Question; break;
      case 43: kind = T.Plus; break;
      case 42: kind = T.Star; break;
      case 37: kind = T.Percent; break;
      default:
        return undefined; // `#`, non-ASCII letters, `@`, `$` …: the Chevrotain path reports them
    }
    // checkNesting (lexer.ts), on the fly
    if (kind === T.LCurly || kind === T.LBracket || kind === T.LParen) {
      open.push(false);
      if (open.length > maxDepth) return undefined;
    } else if (kind === T.Lt) {
      const prev = count > 0 ? images[count - 1] : undefined;
      if (prev === "list" || prev === "map") {
        open.push(true);
        if (open.length > maxDepth) return undefined;
      }
    } else if (kind === T.Gt) {
      if (open[open.length - 1] === true) open.pop();
    } else if (kind === T.RCurly || kind === T.RBracket || kind === T.RParen) {
      while (open[open.length - 1] === true) open.pop();
      open.pop();
    }
    push(kind, i, i + len, undefined, 0);
    i += len;
  }
  push(T.EOF, n, n, undefined, 0);
  return { count, kinds, kw, starts, ends, images, comments };
}
