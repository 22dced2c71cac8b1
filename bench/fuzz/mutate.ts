/**
 * Deterministic mutations of `.rag` sources for fuzzing the front end: byte-level edits
 * (delete, duplicate, insert random or special characters), token-level edits (insert a
 * keyword, punctuation, string or comment opener; swap lines), structure edits (splice
 * two inputs, truncate, repeat a bracket or an operator many times) — the shapes that
 * break parsers: unbalanced brackets, unterminated strings and comments, deep nesting,
 * long chains, stray `{{`, non-ASCII text, CRLF line ends.
 */

/** mulberry32: a small seeded PRNG (returns floats in [0, 1)). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  "graph", "node", "start", "state", "channel", "input", "output", "kind", "model", "agent", "tools", "routes", "send", "sends",
  "join", "wait", "first", "all", "next", "END", "START", "when", "else", "for", "in", "set", "writes", "command", "goto", "update",
  "interrupt", "before", "after", "checkpoint", "none", "allow", "schema", "retry", "timeout", "max_steps", "on_error", "steering",
  "->", "{", "}", "[", "]", "(", ")", ":", ",", ";", ".", "?", "|", "=", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%",
  "&&", "||", "!", "not", "and", "or", '"', "'", '"""', "{{", "}}", "\\{{", "//", "/*", "*/", "#", "\\", "\\u{1F600}", "\\q",
  "30s", "250ms", "1e-3", "-3", "0.75", "9999999999999999999999", "true", "false", "null", "list<", "map<", "[]", "append",
  "messages", "overwrite", "aggregate", "barrier", "state.x", "input.items", "args.item", "len(", "é", "日本", "\u0000", "\t", "\r\n",
];

export type Mutator = (src: string, r: () => number, other: string) => string;

const pos = (s: string, r: () => number) => Math.floor(r() * (s.length + 1));
const pick = <T>(xs: readonly T[], r: () => number) => xs[Math.floor(r() * xs.length)];

export const MUTATORS: readonly { readonly name: string; readonly f: Mutator }[] = [
  { name: "delete-range", f: (s, r) => { const a = pos(s, r); const b = Math.min(s.length, a + 1 + Math.floor(r() * 40)); return s.slice(0, a) + s.slice(b); } },
  { name: "delete-char", f: (s, r) => { const a = pos(s, r); return s.slice(0, a) + s.slice(a + 1); } },
  { name: "duplicate-range", f: (s, r) => { const a = pos(s, r); const b = Math.min(s.length, a + 1 + Math.floor(r() * 80)); return s.slice(0, b) + s.slice(a, b) + s.slice(b); } },
  { name: "insert-token", f: (s, r) => { const a = pos(s, r); return s.slice(0, a) + " " + pick(TOKENS, r) + " " + s.slice(a); } },
  { name: "insert-tight", f: (s, r) => { const a = pos(s, r); return s.slice(0, a) + pick(TOKENS, r) + s.slice(a); } },
  { name: "replace-char", f: (s, r) => { const a = Math.floor(r() * s.length); return s.slice(0, a) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(a + 1); } },
  { name: "swap-lines", f: (s, r) => { const ls = s.split("\n"); const i = Math.floor(r() * ls.length); const j = Math.floor(r() * ls.length); [ls[i], ls[j]] = [ls[j], ls[i]]; return ls.join("\n"); } },
  { name: "splice", f: (s, r, o) => s.slice(0, pos(s, r)) + o.slice(pos(o, r)) },
  { name: "truncate", f: (s, r) => s.slice(0, pos(s, r)) },
  { name: "repeat", f: (s, r) => { const a = pos(s, r); const t = pick(["(", "[", "{", "not ", "- ", ".a", "()", "{{ ", "list<", "[]", "1 + ", "a -> ", '"'], r); return s.slice(0, a) + t.repeat(1 + Math.floor(r() * (r() < 0.1 ? 3000 : 80))) + s.slice(a); } },
  { name: "crlf", f: (s) => s.replace(/\n/g, "\r\n") },
  { name: "rename-ident", f: (s, r) => { const ids = s.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []; const id = pick(ids, r); return id ? s.split(id).join(id + pick(["x", "", "_2", "Z"], r)) : s; } },
];

/** The `index`-th input of a run with `seed`: 1–4 mutations of a seed source (sometimes spliced with another). */
export function mutant(corpus: readonly string[], seed: number, index: number): { source: string; ops: string[] } {
  const r = rng((seed * 1_000_003) ^ index);
  let source = pick(corpus, r);
  const ops: string[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const m = pick(MUTATORS, r);
    source = m.f(source, r, pick(corpus, r));
    ops.push(m.name);
  }
  return { source, ops };
}
