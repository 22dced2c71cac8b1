/**
 * String patterns for `string(/re/)` types (`language.md` §4.1), matched in linear time.
 *
 * A pattern is JavaScript regular-expression syntax without the features that need
 * backtracking: it is compiled to a Thompson NFA and run by state-set simulation (the
 * approach of RE2 and of Russ Cox's "Regular Expression Matching Can Be Simple And
 * Fast"), so the time to test a string is O(input length × pattern size) whatever the
 * pattern — `(a+)+b` or `\w*\w*\w*b` cost no more than `ab`. Patterns that would need
 * backtracking (backreferences, lookaround) are rejected; so are word boundaries,
 * flags and named groups, which the language does not need.
 *
 * Semantics follow `RegExp.prototype.test` without flags: the pattern may match anywhere
 * in the string unless anchored with `^` / `$`; `.` matches any UTF-16 code unit but a
 * line terminator; `\d \w \s` and their negations as in JavaScript.
 *
 * Bounds (checked before work): a pattern of at most 1,000 characters, at most 5,000
 * NFA states after `{n,m}` repetition is expanded, and inputs of at most 10,000
 * characters (a longer string does not match; the error says why).
 */

/** Characters a pattern may have. */
export const MAX_PATTERN_LENGTH = 1_000;
/** NFA states a pattern may compile to (counted repetitions are expanded). */
export const MAX_PATTERN_STATES = 5_000;
/** Longest string a pattern is tested against, in UTF-16 code units; longer strings do not match. */
export const MAX_PATTERN_INPUT = 10_000;

/** A pattern that cannot be used, with the offset in its source of what is wrong. */
export class PatternError extends Error {
  readonly code = "E-rag-invalid-pattern";
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "PatternError";
  }
}

type Ranges = readonly (readonly [number, number])[];
interface CharSet { readonly ranges: Ranges; readonly negated: boolean }

type Node =
  | { readonly k: "char"; readonly set: CharSet }
  | { readonly k: "seq"; readonly items: readonly Node[] }
  | { readonly k: "alt"; readonly options: readonly Node[] }
  | { readonly k: "rep"; readonly item: Node; readonly min: number; readonly max: number }
  | { readonly k: "bol" }
  | { readonly k: "eol" };

/** `{n}`, `{n,}`, `{n,m}` (counts up to 9999). */
const COUNTED = /^\{(\d{1,4})(,(\d{0,4}))?\}/;
const DIGIT: Ranges = [[48, 57]];
const WORD: Ranges = [[48, 57], [65, 90], [95, 95], [97, 122]];
const SPACE: Ranges = [[9, 13], [32, 32], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff]];
const LINE_TERMINATORS: Ranges = [[10, 10], [13, 13], [0x2028, 0x2029]];
const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { t: 9, n: 10, v: 11, f: 12, r: 13, "0": 0 };

function inRanges(c: number, rs: Ranges): boolean {
  for (const [lo, hi] of rs) if (c >= lo && c <= hi) return true;
  return false;
}

function matches(set: CharSet, c: number): boolean {
  return inRanges(c, set.ranges) !== set.negated;
}

/** Recursive-descent parser for the supported subset; `depth` bounds group nesting. */
class Parser {
  i = 0;
  constructor(readonly src: string) {}

  fail(message: string, at = this.i): never {
    throw new PatternError(message, at);
  }

  parse(): Node {
    const n = this.alternation(0);
    if (this.i < this.src.length) this.fail(this.src[this.i] === ")" ? "unmatched `)`" : `unexpected \`${this.src[this.i]}\``);
    return n;
  }

  alternation(depth: number): Node {
    if (depth > 32) this.fail("groups nest deeper than 32 levels");
    const options = [this.sequence(depth)];
    while (this.src[this.i] === "|") {
      this.i++;
      options.push(this.sequence(depth));
    }
    return options.length === 1 ? options[0] : { k: "alt", options };
  }

  sequence(depth: number): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") items.push(this.quantified(depth));
    return { k: "seq", items };
  }

  quantified(depth: number): Node {
    const start = this.i;
    const atom = this.atom(depth);
    const q = this.quantifier();
    if (!q) return atom;
    if (atom.k === "bol" || atom.k === "eol") this.fail("`^` and `$` cannot be repeated", start);
    if (this.src[this.i] === "?") this.i++; // lazy: the same set of matches
    const after = this.src[this.i];
    if (after === "*" || after === "+" || after === "?" || (after === "{" && COUNTED.test(this.src.slice(this.i, this.i + 12)))) this.fail("a quantifier cannot follow a quantifier");
    return { k: "rep", item: atom, min: q[0], max: q[1] };
  }

  quantifier(): [number, number] | undefined {
    const c = this.src[this.i];
    if (c === "*") return this.i++, [0, Infinity];
    if (c === "+") return this.i++, [1, Infinity];
    if (c === "?") return this.i++, [0, 1];
    if (c !== "{") return undefined;
    const m = COUNTED.exec(this.src.slice(this.i, this.i + 12));
    if (!m) return undefined; // a literal `{`, as in JavaScript
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    if (max < min) this.fail(`\`{${min},${max}}\`: the maximum is less than the minimum`);
    this.i += m[0].length;
    return [min, max];
  }

  atom(depth: number): Node {
    const at = this.i;
    const c = this.src[this.i++];
    switch (c) {
      case "^":
        return { k: "bol" };
      case "$":
        return { k: "eol" };
      case ".":
        return { k: "char", set: { ranges: LINE_TERMINATORS, negated: true } };
      case "[":
        return { k: "char", set: this.charClass() };
      case "(": {
        if (this.src[this.i] === "?") {
          if (this.src[this.i + 1] !== ":") this.fail(this.src.startsWith("?<", this.i) && !"=!".includes(this.src[this.i + 2] ?? "") ? "named groups are not supported: use `(…)` or `(?:…)`" : "lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`) is not supported: patterns are matched in linear time, without backtracking", at);
          this.i += 2;
        }
        const inner = this.alternation(depth + 1);
        if (this.src[this.i] !== ")") this.fail("`(` is never closed", at);
        this.i++;
        return inner;
      }
      case ")":
        return this.fail("unmatched `)`", at);
      case "*":
      case "+":
      case "?":
        return this.fail(`\`${c}\` has nothing to repeat`, at);
      case "{":
        if (COUNTED.test(this.src.slice(at, at + 12))) this.fail("`{n,m}` has nothing to repeat", at);
        return { k: "char", set: { ranges: [[123, 123]], negated: false } };
      case "\\":
        return { k: "char", set: this.escape(false) };
      default: {
        const code = c.charCodeAt(0);
        return { k: "char", set: { ranges: [[code, code]], negated: false } };
      }
    }
  }

  /** After `\`: a class escape or one character. `inClass`: inside `[…]` (where `\b` is a backspace). */
  escape(inClass: boolean): CharSet {
    const at = this.i - 1;
    const c = this.src[this.i++];
    if (c === undefined) this.fail("the pattern ends with `\\`", at);
    const one = (n: number): CharSet => ({ ranges: [[n, n]], negated: false });
    switch (c) {
      case "d": return { ranges: DIGIT, negated: false };
      case "D": return { ranges: DIGIT, negated: true };
      case "w": return { ranges: WORD, negated: false };
      case "W": return { ranges: WORD, negated: true };
      case "s": return { ranges: SPACE, negated: false };
      case "S": return { ranges: SPACE, negated: true };
      case "b":
        if (inClass) return one(8);
        return this.fail("word boundaries (`\\b`) are not supported", at);
      case "B":
        return this.fail("word boundaries (`\\B`) are not supported", at);
      case "x": {
        const m = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.i, this.i + 2));
        if (!m) this.fail("`\\x` needs two hex digits", at);
        this.i += 2;
        return one(parseInt(m[0], 16));
      }
      case "u": {
        const m = /^[0-9A-Fa-f]{4}/.exec(this.src.slice(this.i, this.i + 4));
        if (!m) this.fail("`\\u` needs four hex digits", at);
        this.i += 4;
        return one(parseInt(m[0], 16));
      }
      default:
        if (Object.hasOwn(SIMPLE_ESCAPES, c) && !(c === "0" && /\d/.test(this.src[this.i] ?? ""))) return one(SIMPLE_ESCAPES[c]);
        if (/[1-9k]/.test(c)) this.fail("backreferences are not supported: patterns are matched in linear time, without backtracking", at);
        if (/[A-Za-z0-9]/.test(c)) this.fail(`\`\\${c}\` is not a supported escape`, at);
        return one(c.charCodeAt(0));
    }
  }

  charClass(): CharSet {
    const open = this.i - 1;
    const negated = this.src[this.i] === "^";
    if (negated) this.i++;
    const ranges: [number, number][] = [];
    while (this.src[this.i] !== "]") {
      if (this.i >= this.src.length) this.fail("`[` is never closed", open);
      const lo = this.classAtom();
      if (this.src[this.i] === "-" && this.src[this.i + 1] !== "]" && this.i + 1 < this.src.length) {
        this.i++;
        const hi = this.classAtom();
        if (typeof lo !== "number" || typeof hi !== "number") this.fail("a class like `\\d` cannot bound a range");
        if (hi < lo) this.fail("range out of order in `[…]`");
        ranges.push([lo, hi]);
      } else if (typeof lo === "number") ranges.push([lo, lo]);
      else for (const r of expand(lo)) ranges.push([r[0], r[1]]);
    }
    this.i++;
    return { ranges, negated };
  }

  /** One member of `[…]`: a code unit, or a class escape such as `\d`. */
  classAtom(): number | CharSet {
    const c = this.src[this.i++];
    if (c !== "\\") return c.charCodeAt(0);
    const set = this.escape(true);
    return set.ranges.length === 1 && !set.negated && set.ranges[0][0] === set.ranges[0][1] ? set.ranges[0][0] : set;
  }
}

/** The ranges of a class escape used inside `[…]` (a negated one becomes its complement). */
function expand(set: CharSet): Ranges {
  if (!set.negated) return set.ranges;
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of [...set.ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push([next, 0xffff]);
  return out;
}

// ───────────────────────────── NFA ─────────────────────────────

/** NFA state kinds. */
const S = { Char: 0, Split: 1, Bol: 2, Eol: 3, Match: 4 } as const;
type StateKind = (typeof S)[keyof typeof S];
interface State { kind: StateKind; set?: CharSet; out: number; out2: number }

class Builder {
  readonly states: State[] = [];

  add(kind: StateKind, set?: CharSet): number {
    if (this.states.length >= MAX_PATTERN_STATES) throw new PatternError(`the pattern is too large (more than ${MAX_PATTERN_STATES} states once \`{n,m}\` repetitions are expanded)`, 0);
    this.states.push({ kind, ...(set ? { set } : {}), out: -1, out2: -1 });
    return this.states.length - 1;
  }

  /** Builds `n` so that it continues at `next`; returns its entry state. */
  build(n: Node, next: number): number {
    switch (n.k) {
      case "char": {
        const s = this.add(S.Char, n.set);
        this.states[s].out = next;
        return s;
      }
      case "bol":
      case "eol": {
        const s = this.add(n.k === "bol" ? S.Bol : S.Eol);
        this.states[s].out = next;
        return s;
      }
      case "seq": {
        let entry = next;
        for (let i = n.items.length - 1; i >= 0; i--) entry = this.build(n.items[i], entry);
        return entry;
      }
      case "alt": {
        let entry = this.build(n.options[n.options.length - 1], next);
        for (let i = n.options.length - 2; i >= 0; i--) {
          const s = this.add(S.Split);
          this.states[s].out = this.build(n.options[i], next);
          this.states[s].out2 = entry;
          entry = s;
        }
        return entry;
      }
      case "rep": {
        let entry = next;
        if (n.max === Infinity) {
          // A star loop: split → item → back to the split.
          const s = this.add(S.Split);
          this.states[s].out = this.build(n.item, s);
          this.states[s].out2 = next;
          entry = s;
        } else {
          for (let i = n.min; i < n.max; i++) {
            const s = this.add(S.Split);
            this.states[s].out = this.build(n.item, entry);
            this.states[s].out2 = next;
            entry = s;
          }
        }
        for (let i = 0; i < n.min; i++) entry = this.build(n.item, entry);
        return entry;
      }
    }
  }
}

/** A compiled pattern: `test(s)` in O(|s| × states). */
export interface SafePattern {
  readonly source: string;
  /** Whether the pattern matches somewhere in `s` (false for strings over MAX_PATTERN_INPUT). */
  test(s: string): boolean;
}

/**
 * Compiles `source` (the text between the slashes of `/…/`).
 *
 * @throws PatternError (code `E-rag-invalid-pattern`) for malformed or unsupported
 *   syntax, or a pattern over the size bounds.
 */
export function compilePattern(source: string): SafePattern {
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`the pattern has ${source.length} characters; the limit is ${MAX_PATTERN_LENGTH}`, 0);
  const ast = new Parser(source).parse();
  const b = new Builder();
  const match = b.add(S.Match);
  const start = b.build(ast, match);
  const states = b.states;
  const mark = new Int32Array(states.length).fill(-1);
  let gen = 0;
  const stack: number[] = [];
  /** Adds `s` and everything reachable from it without input at position `pos` to `list`. */
  const close = (list: number[], s0: number, pos: number, len: number): boolean => {
    stack.push(s0);
    let matched = false;
    while (stack.length) {
      const s = stack.pop()!;
      if (s < 0 || mark[s] === gen) continue;
      mark[s] = gen;
      const st = states[s];
      switch (st.kind) {
        case S.Split:
          stack.push(st.out2, st.out);
          break;
        case S.Bol:
          if (pos === 0) stack.push(st.out);
          break;
        case S.Eol:
          if (pos === len) stack.push(st.out);
          break;
        case S.Match:
          matched = true;
          break;
        default:
          list.push(s);
      }
    }
    return matched;
  };
  return {
    source,
    test(s: string): boolean {
      const len = s.length;
      if (len > MAX_PATTERN_INPUT) return false;
      let current: number[] = [];
      gen++;
      if (close(current, start, 0, len)) return true;
      for (let pos = 0; pos < len; pos++) {
        const c = s.charCodeAt(pos);
        const next: number[] = [];
        gen++;
        for (const st of current) {
          const state = states[st];
          if (matches(state.set!, c) && close(next, state.out, pos + 1, len)) return true;
        }
        // Unanchored search: a match may also start at the next position.
        if (close(next, start, pos + 1, len)) return true;
        current = next;
      }
      return false;
    },
  };
}

/** One character of `set`: its first range's start, or for a negated set a common character outside it. */
function sampleChar(set: CharSet): string | undefined {
  if (!set.negated) return set.ranges.length ? String.fromCharCode(set.ranges[0][0]) : undefined;
  for (const c of "a0A_x-. ") if (!inRanges(c.charCodeAt(0), set.ranges)) return c;
  return undefined;
}

function sampleNode(n: Node): string | undefined {
  switch (n.k) {
    case "char":
      return sampleChar(n.set);
    case "bol":
    case "eol":
      return "";
    case "seq": {
      let out = "";
      for (const x of n.items) {
        const s = sampleNode(x);
        if (s === undefined) return undefined;
        out += s;
      }
      return out;
    }
    case "alt":
      for (const o of n.options) {
        const s = sampleNode(o);
        if (s !== undefined) return s;
      }
      return undefined;
    case "rep": {
      if (n.min === 0) return "";
      const s = sampleNode(n.item);
      return s === undefined ? undefined : s.repeat(Math.min(n.min, MAX_PATTERN_INPUT));
    }
  }
}

/**
 * A short string the pattern matches (each repetition at its minimum, each alternation's
 * first workable branch), for generating data (`rag simulate`); undefined when the
 * pattern is invalid or the simple construction does not match (e.g. `^a$b`).
 */
export function samplePattern(source: string): string | undefined {
  try {
    const s = sampleNode(new Parser(source).parse());
    return s !== undefined && s.length <= MAX_PATTERN_INPUT && compilePattern(source).test(s) ? s : undefined;
  } catch {
    return undefined;
  }
}
