/**
 * Expressions for the builder API (`language.md` §3), two ways:
 *
 * - source strings, parsed by the compiler's own expression parser and lowered exactly
 *   as in a `.rag` file: `"len(state.results) > 3"`;
 * - a small typed toolkit, `x.state("count").gt(3)`, whose `state`/`input` keys are
 *   checked against the builder's state and input types.
 *
 * Both produce the same `ExprSpec`. Builder IR has no source text, so every span is the
 * empty span at 1:1 (spans are outside the blueprint hash anyway).
 */
import type { Diagnostic } from "../../grammar/diagnostic.js";
import { BuildContext } from "../../grammar/rag/build-context.js";
import { ExprBuilder } from "../../grammar/rag/build-expr.js";
import type * as C from "../../grammar/rag/cst.generated.js";
import { lexFragment } from "../../grammar/rag/lexer.js";
import { ragParser } from "../../grammar/rag/parser.js";
import { LineIndex } from "../../grammar/span.js";
import { diagnostic } from "../../grammar/diagnostic.js";
import type { BinaryOperator, ExprEntrySpec, ExprSpec, Json, TemplateSpec } from "../blueprint.js";
import { lowerExpr } from "../lower/expr.js";
import { NO_SPAN } from "./types.js";

/** A literal operand of the typed helpers (plain values are literals there, not source). */
export type Operand = Expr<unknown> | Json;

type Member<T, K extends string> = T extends readonly unknown[] ? (K extends "length" ? number : unknown) : T extends object ? (K extends keyof T ? T[K] : unknown) : unknown;
type Element<T> = T extends readonly (infer E)[] ? E : unknown;

/** A typed expression: `T` is the TypeScript type of its value (a phantom, for checking only). */
export class Expr<T> {
  declare readonly __value: T;

  constructor(readonly spec: ExprSpec) {}

  /** `e.key` (a missing member reads as null). */
  get<K extends string>(key: K): Expr<Member<T, K>> {
    return new Expr({ op: "get", object: this.spec, key, span: NO_SPAN });
  }
  /** `e[index]` (negative indexes count from the end). */
  at(index: Operand): Expr<Element<T>> {
    return new Expr({ op: "index", object: this.spec, index: operand(index), span: NO_SPAN });
  }
  eq(o: Operand): Expr<boolean> { return bin("==", this, o); }
  ne(o: Operand): Expr<boolean> { return bin("!=", this, o); }
  lt(o: Operand): Expr<boolean> { return bin("<", this, o); }
  le(o: Operand): Expr<boolean> { return bin("<=", this, o); }
  gt(o: Operand): Expr<boolean> { return bin(">", this, o); }
  ge(o: Operand): Expr<boolean> { return bin(">=", this, o); }
  /** `this in o`: list membership, substring, or object key. */
  in(o: Operand): Expr<boolean> { return bin("in", this, o); }
  add(o: Operand): Expr<T> { return bin("+", this, o); }
  sub(o: Operand): Expr<number> { return bin("-", this, o); }
  mul(o: Operand): Expr<number> { return bin("*", this, o); }
  div(o: Operand): Expr<number> { return bin("/", this, o); }
  mod(o: Operand): Expr<number> { return bin("%", this, o); }
  and(o: Operand): Expr<boolean> { return bin("and", this, o); }
  or(o: Operand): Expr<boolean> { return bin("or", this, o); }
  not(): Expr<boolean> { return new Expr({ op: "not", arg: this.spec, span: NO_SPAN }); }
  neg(): Expr<number> { return new Expr({ op: "neg", arg: this.spec, span: NO_SPAN }); }
}

function bin<T>(operator: BinaryOperator, l: Operand, r: Operand): Expr<T> {
  return new Expr({ op: "bin", operator, left: operand(l), right: operand(r), span: NO_SPAN });
}

/** An operand as IR: expressions as they are, plain values as literals (lists and objects element-wise). */
export function operand(o: Operand): ExprSpec {
  if (o instanceof Expr) return o.spec;
  if (Array.isArray(o)) return { op: "list", items: o.map(operand), span: NO_SPAN };
  if (o !== null && typeof o === "object") return { op: "object", entries: Object.entries(o).map(([key, v]) => ({ key, value: operand(v) })), span: NO_SPAN };
  return { op: "lit", value: o, span: NO_SPAN };
}

const call = <T>(fn: string, args: readonly Operand[]): Expr<T> => new Expr({ op: "call", fn, args: args.map(operand), span: NO_SPAN });
const root = <T>(name: string): Expr<T> => new Expr({ op: "var", name, span: NO_SPAN });

/**
 * The typed toolkit handed to expression callbacks (`(x) => x.state("n").gt(3)`).
 * `S` is the builder's state type, `I` its input type.
 */
export interface ExprKit<S, I> {
  /** `state.key`: committed state at the start of the superstep. */
  state<K extends keyof S & string>(key: K): Expr<S[K]>;
  /** `input.key`: the run input. */
  input<K extends keyof I & string>(key: K): Expr<I[K]>;
  /** `args`: the send packet of this task (null for tasks not started by a send). */
  args<A = unknown>(): Expr<A>;
  /** `args.key`. */
  arg<A = unknown>(key: string): Expr<A>;
  /** `result`: the node's result (inside `writes` and `set`, and in conditions after the node ran). */
  result<R = unknown>(): Expr<R>;
  /** A variable: the comprehension variable of `send … for x in …`. */
  v<V = unknown>(name: string): Expr<V>;
  /** `run.id`, `run.thread`, `run.step`. */
  run<K extends "id" | "thread" | "step">(key: K): Expr<K extends "step" ? number : string>;
  lit<V extends Json>(value: V): Expr<V>;
  list<V = unknown>(...items: Operand[]): Expr<V[]>;
  object(entries: Readonly<Record<string, Operand>>): Expr<Record<string, unknown>>;
  /** Parses expression source (`"len(state.items) > 0"`). */
  parse<V = unknown>(source: string): Expr<V>;
  and(...operands: Operand[]): Expr<boolean>;
  or(...operands: Operand[]): Expr<boolean>;
  not(o: Operand): Expr<boolean>;
  /** Any built-in function by name (`language.md` §3). */
  call<V = unknown>(fn: string, ...args: Operand[]): Expr<V>;
  len(o: Operand): Expr<number>;
  lower(o: Operand): Expr<string>;
  upper(o: Operand): Expr<string>;
  trim(o: Operand): Expr<string>;
  contains(haystack: Operand, needle: Operand): Expr<boolean>;
  startsWith(s: Operand, prefix: Operand): Expr<boolean>;
  endsWith(s: Operand, suffix: Operand): Expr<boolean>;
  split(s: Operand, sep: Operand): Expr<string[]>;
  join(list: Operand, sep: Operand): Expr<string>;
  keys(o: Operand): Expr<string[]>;
  values(o: Operand): Expr<unknown[]>;
  default<V>(o: Expr<V> | Json, fallback: Operand): Expr<V>;
  min(...o: Operand[]): Expr<number>;
  max(...o: Operand[]): Expr<number>;
  sum(o: Operand): Expr<number>;
  round(o: Operand, digits?: Operand): Expr<number>;
  json(o: Operand): Expr<string>;
}

/** Builds the toolkit; `report` receives parse problems of `parse(...)`. */
export function exprKit<S, I>(report: (d: Diagnostic) => void = () => {}): ExprKit<S, I> {
  const fold = (operator: "and" | "or", os: Operand[]): Expr<boolean> => {
    if (!os.length) return new Expr({ op: "lit", value: operator === "and", span: NO_SPAN });
    return os.slice(1).reduce<Expr<boolean>>((acc, o) => bin(operator, acc, o), os[0] instanceof Expr ? (os[0] as Expr<boolean>) : new Expr(operand(os[0])));
  };
  return {
    state: (key) => root("state").get(key) as never,
    input: (key) => root("input").get(key) as never,
    args: () => root("args"),
    arg: (key) => root("args").get(key) as never,
    result: () => root("result"),
    v: (name) => root(name),
    run: (key) => root("run").get(key) as never,
    lit: (value) => new Expr(operand(value)),
    list: (...items) => new Expr({ op: "list", items: items.map(operand), span: NO_SPAN }),
    object: (entries) => new Expr({ op: "object", entries: Object.entries(entries).map(([key, v]) => ({ key, value: operand(v) })), span: NO_SPAN }),
    parse: (source) => {
      const r = parseExpression(source);
      r.diagnostics.forEach(report);
      return new Expr(r.expr);
    },
    and: (...os) => fold("and", os),
    or: (...os) => fold("or", os),
    not: (o) => new Expr({ op: "not", arg: operand(o), span: NO_SPAN }),
    call: (fn, ...args) => call(fn, args),
    len: (o) => call("len", [o]),
    lower: (o) => call("lower", [o]),
    upper: (o) => call("upper", [o]),
    trim: (o) => call("trim", [o]),
    contains: (h, n) => call("contains", [h, n]),
    startsWith: (s, p) => call("starts_with", [s, p]),
    endsWith: (s, p) => call("ends_with", [s, p]),
    split: (s, sep) => call("split", [s, sep]),
    join: (l, sep) => call("join", [l, sep]),
    keys: (o) => call("keys", [o]),
    values: (o) => call("values", [o]),
    default: (o, f) => call("default", [o, f]),
    min: (...o) => call("min", o),
    max: (...o) => call("max", o),
    sum: (o) => call("sum", [o]),
    round: (o, d) => call("round", d === undefined ? [o] : [o, d]),
    json: (o) => call("json", [o]),
  };
}

/** An expression as a builder accepts it: source text, a typed expression, or a callback building one. */
export type ExprInput<S, I> = string | Expr<unknown> | ((x: ExprKit<S, I>) => Expr<unknown>);

/**
 * Parses one expression with the compiler's parser and lowers it like a `.rag` file.
 * Never throws: problems come back as diagnostics (spans relative to `source`), with a
 * `null` literal in place of the expression.
 */
export function parseExpression(source: string): { expr: ExprSpec; diagnostics: Diagnostic[] } {
  const lines = new LineIndex(source);
  const diagnostics: Diagnostic[] = [];
  const { tokens, errors } = lexFragment(source);
  for (const e of errors) diagnostics.push(diagnostic("E-rag-invalid-token", `invalid token \`${source.slice(e.offset, e.offset + e.length)}\` in expression \`${source}\``, lines.span(e.offset, e.offset + e.length)));
  const nothing: ExprSpec = { op: "lit", value: null, span: NO_SPAN };
  if (errors.length) return { expr: nothing, diagnostics };
  if (!tokens.length) return { expr: nothing, diagnostics: [diagnostic("E-rag-unexpected-token", "empty expression", lines.span(0, 0))] };
  const parser = ragParser();
  parser.input = tokens;
  const cst = parser.templateExpr() as C.TemplateExprCstNode;
  for (const err of parser.errors) {
    const tok = err.token;
    const at = Number.isFinite(tok?.startOffset) ? tok.startOffset : source.length;
    diagnostics.push(diagnostic("E-rag-unexpected-token", `${err.message} in expression \`${source}\``, lines.span(at, at + (tok?.image?.length ?? 0))));
  }
  const ctx = new BuildContext(lines, undefined);
  const node = cst.children.expr?.[0];
  const ast = node && !parser.errors.length ? new ExprBuilder(ctx).expr(node, lines.span(0, source.length)) : undefined;
  diagnostics.push(...ctx.diagnostics);
  if (!ast || diagnostics.some((d) => d.severity === "error")) return { expr: nothing, diagnostics };
  return { expr: withoutSpans(lowerExpr(ast)), diagnostics };
}

/** The same expression with every span replaced by the empty builder span. */
export function withoutSpans(e: ExprSpec): ExprSpec {
  switch (e.op) {
    case "lit":
    case "var":
      return { ...e, span: NO_SPAN };
    case "get":
      return { ...e, object: withoutSpans(e.object), span: NO_SPAN };
    case "index":
      return { ...e, object: withoutSpans(e.object), index: withoutSpans(e.index), span: NO_SPAN };
    case "call":
      return { ...e, args: e.args.map(withoutSpans), span: NO_SPAN };
    case "not":
    case "neg":
      return { ...e, arg: withoutSpans(e.arg), span: NO_SPAN };
    case "bin":
      return { ...e, left: withoutSpans(e.left), right: withoutSpans(e.right), span: NO_SPAN };
    case "list":
      return { ...e, items: e.items.map(withoutSpans), span: NO_SPAN };
    case "comp":
      return { ...e, iterable: withoutSpans(e.iterable), element: withoutSpans(e.element), ...(e.filter ? { filter: withoutSpans(e.filter) } : {}), span: NO_SPAN };
    case "object":
      return { ...e, entries: e.entries.map((en) => ({ key: en.key, value: withoutSpans(en.value) })), span: NO_SPAN };
  }
}

/** Resolves an `ExprInput` to IR; parse problems go to `report`. */
export function resolveExpr<S, I>(input: ExprInput<S, I>, report: (d: Diagnostic) => void): ExprSpec {
  if (typeof input === "string") {
    const r = parseExpression(input);
    r.diagnostics.forEach(report);
    return r.expr;
  }
  if (input instanceof Expr) return input.spec;
  return input(exprKit<S, I>(report)).spec;
}

/** An expression map: `{ key: expr }` (source strings, typed expressions or callbacks), or a callback returning one. */
export type ExprMap<S, I, K extends string = string> =
  | Partial<Readonly<Record<K, ExprInput<S, I>>>>
  | ((x: ExprKit<S, I>) => Partial<Readonly<Record<K, Expr<unknown> | string>>>);

/** A map of expressions (`set {…}`, `writes {…}`, `input {…}`, send args) → IR entries, in key order as given. */
export function resolveEntries<S, I, K extends string>(entries: ExprMap<S, I, K>, report: (d: Diagnostic) => void): ExprEntrySpec[] {
  const obj: Partial<Readonly<Record<string, ExprInput<S, I>>>> = typeof entries === "function" ? entries(exprKit<S, I>(report)) : entries;
  const out: ExprEntrySpec[] = [];
  for (const [key, value] of Object.entries(obj)) if (value !== undefined) out.push({ key, value: resolveExpr<S, I>(value, report) });
  return out;
}

/**
 * A template (`system`, `prompt`): literal text with `{{ expr }}` parts, split and parsed
 * as the compiler does; `\{` is a literal brace (so `\{{` is a literal `{{`).
 */
export function parseTemplate(text: string, report: (d: Diagnostic) => void): TemplateSpec {
  const parts: ({ text: string } | { expr: ExprSpec })[] = [];
  let value = "";
  let pending = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === "\\" && text[i + 1] === "{") {
      value += "{";
      pending += "{";
      i += 2;
      if (text[i] === "{") {
        value += "{";
        pending += "{";
        i++;
      }
      continue;
    }
    if (text[i] === "{" && text[i + 1] === "{") {
      const close = text.indexOf("}}", i + 2);
      if (close < 0) {
        report(diagnostic("E-rag-invalid-template", "`{{` is never closed by `}}`", NO_SPAN, { help: "close it with `}}`, or write `\\{{` for literal braces" }));
        value += text.slice(i);
        pending += text.slice(i);
        break;
      }
      const inner = text.slice(i + 2, close);
      if (pending) parts.push({ text: pending });
      pending = "";
      if (inner.trim() === "") report(diagnostic("E-rag-invalid-template", "empty interpolation `{{ }}`", NO_SPAN, { help: "write an expression such as `{{ state.topic }}`" }));
      else parts.push({ expr: resolveExpr(inner, report) });
      value += text.slice(i, close + 2);
      i = close + 2;
      continue;
    }
    value += text[i];
    pending += text[i];
    i++;
  }
  if (pending) parts.push({ text: pending });
  return { text: value, parts, span: NO_SPAN };
}
