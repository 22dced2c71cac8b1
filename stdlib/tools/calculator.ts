/**
 * `calculator`: evaluates an arithmetic expression with a small recursive-descent
 * parser — no `eval`, no `Function`, no property access, nothing but numbers:
 * `+ - * / %`, `^` or `**` (right-associative), parentheses, unary minus, the constants
 * `pi` and `e`, and the functions sqrt, cbrt, abs, sign, round, floor, ceil, trunc, exp,
 * log (natural), log2, log10, sin, cos, tan, asin, acos, atan, atan2, pow, min, max,
 * hypot. Expressions are at most 1,000 characters and 64 levels deep; a result that is
 * not a finite number (division by zero, `sqrt(-1)`) is an error.
 */
import { z } from "zod";
import { tool, type ToolDefinition } from "../../registry/index.js";

const FUNCTIONS: Readonly<Record<string, { arity: number | "n"; fn: (...a: number[]) => number }>> = {
  sqrt: { arity: 1, fn: Math.sqrt }, cbrt: { arity: 1, fn: Math.cbrt }, abs: { arity: 1, fn: Math.abs }, sign: { arity: 1, fn: Math.sign },
  round: { arity: 1, fn: Math.round }, floor: { arity: 1, fn: Math.floor }, ceil: { arity: 1, fn: Math.ceil }, trunc: { arity: 1, fn: Math.trunc },
  exp: { arity: 1, fn: Math.exp }, log: { arity: 1, fn: Math.log }, log2: { arity: 1, fn: Math.log2 }, log10: { arity: 1, fn: Math.log10 },
  sin: { arity: 1, fn: Math.sin }, cos: { arity: 1, fn: Math.cos }, tan: { arity: 1, fn: Math.tan },
  asin: { arity: 1, fn: Math.asin }, acos: { arity: 1, fn: Math.acos }, atan: { arity: 1, fn: Math.atan },
  atan2: { arity: 2, fn: Math.atan2 }, pow: { arity: 2, fn: Math.pow },
  min: { arity: "n", fn: Math.min }, max: { arity: "n", fn: Math.max }, hypot: { arity: "n", fn: Math.hypot },
};
const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };
const MAX_LENGTH = 1_000;
const MAX_DEPTH = 64;

/** A calculator input the parser refuses, with the column (1-based) where it went wrong. */
export class CalculatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CalculatorError";
  }
}

type Token = { kind: "num"; value: number; at: number } | { kind: "id"; name: string; at: number } | { kind: "op"; op: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/%^(),]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new CalculatorError(`unexpected character \`${src.slice(i).trimStart()[0]}\` at column ${src.length - src.slice(i).trimStart().length + 1}`);
    const at = re.lastIndex - m[0].trimStart().length + 1;
    if (m[1] !== undefined) out.push({ kind: "num", value: Number(m[1]), at });
    else if (m[2] !== undefined) out.push({ kind: "id", name: m[2], at });
    else out.push({ kind: "op", op: m[3] === "**" ? "^" : m[3], at });
    i = re.lastIndex;
  }
  return out;
}

/**
 * Evaluates `expression`.
 *
 * @throws CalculatorError for a syntax error, an unknown name, a wrong argument count, or a non-finite result.
 */
export function evaluateArithmetic(expression: string): number {
  if (expression.length > MAX_LENGTH) throw new CalculatorError(`the expression is longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (op: string) => peek()?.kind === "op" && (peek() as { op: string }).op === op;
  const where = () => (peek() ? `at column ${peek().at}` : "at the end");
  const expect = (op: string) => {
    if (!isOp(op)) throw new CalculatorError(`expected \`${op}\` ${where()}`);
    pos++;
  };
  const guard = (depth: number) => {
    if (depth > MAX_DEPTH) throw new CalculatorError(`the expression nests deeper than ${MAX_DEPTH} levels`);
  };
  const sum = (d: number): number => {
    guard(d);
    let v = product(d);
    while (isOp("+") || isOp("-")) v = (tokens[pos++] as { op: string }).op === "+" ? v + product(d) : v - product(d);
    return v;
  };
  const product = (d: number): number => {
    let v = unary(d);
    while (isOp("*") || isOp("/") || isOp("%")) {
      const op = (tokens[pos++] as { op: string }).op;
      const r = unary(d);
      v = op === "*" ? v * r : op === "/" ? v / r : v % r;
    }
    return v;
  };
  const unary = (d: number): number => {
    guard(d);
    if (isOp("-")) return pos++, -unary(d + 1);
    if (isOp("+")) return pos++, unary(d + 1);
    return power(d);
  };
  const power = (d: number): number => {
    const base = primary(d);
    if (isOp("^")) return pos++, base ** unary(d + 1);
    return base;
  };
  const primary = (d: number): number => {
    const t = peek();
    if (!t) throw new CalculatorError("the expression ends too early");
    if (t.kind === "num") return pos++, t.value;
    if (t.kind === "op" && t.op === "(") {
      pos++;
      const v = sum(d + 1);
      expect(")");
      return v;
    }
    if (t.kind === "id") {
      pos++;
      const name = t.name.toLowerCase();
      if (isOp("(")) {
        const f = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
        if (!f) throw new CalculatorError(`unknown function \`${t.name}\` at column ${t.at} (known: ${Object.keys(FUNCTIONS).join(", ")})`);
        pos++;
        const args: number[] = [];
        if (!isOp(")")) {
          args.push(sum(d + 1));
          while (isOp(",")) pos++, args.push(sum(d + 1));
        }
        expect(")");
        if (f.arity === "n" ? args.length === 0 : args.length !== f.arity) throw new CalculatorError(`\`${name}\` takes ${f.arity === "n" ? "one or more arguments" : `${f.arity} argument${f.arity > 1 ? "s" : ""}`}, got ${args.length}`);
        return f.fn(...args);
      }
      if (Object.hasOwn(CONSTANTS, name)) return CONSTANTS[name];
      throw new CalculatorError(`unknown name \`${t.name}\` at column ${t.at} (constants: pi, e)`);
    }
    throw new CalculatorError(`unexpected \`${t.op}\` at column ${t.at}`);
  };
  if (!tokens.length) throw new CalculatorError("the expression is empty");
  const v = sum(0);
  if (pos < tokens.length) throw new CalculatorError(`unexpected ${tokens[pos].kind === "num" ? "number" : `\`${tokens[pos].kind === "id" ? (tokens[pos] as { name: string }).name : (tokens[pos] as { op: string }).op}\``} ${where()}`);
  if (!Number.isFinite(v)) throw new CalculatorError(`the result is not a finite number (${v})`);
  return v;
}

/** The `calculator` tool: `{ expression }` → `{ expression, result }`. Read-only. */
export function calculator(): ToolDefinition {
  return tool({
    description: "Evaluate an arithmetic expression exactly as written, e.g. `(17.5 * 3 + 2^10) / 4` or `sqrt(2) * max(3, 4)`. Supports + - * / % ^, parentheses, pi, e and common math functions.",
    schema: z.object({ expression: z.string().min(1).max(MAX_LENGTH).describe("the arithmetic expression") }),
    readOnly: true,
    run: ({ expression }) => ({ expression, result: evaluateArithmetic(expression) }),
  });
}
