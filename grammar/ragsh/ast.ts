/**
 * The `.ragsh` AST (`repl.md` §1). Nodes are readonly plain data discriminated by
 * `kind`, and every node has a required `span` (1-based lines and columns, UTF-16
 * offsets; see `grammar/span.ts`). Rhai spellings build the same nodes as their
 * JavaScript counterparts (`fn` → FunctionDecl, `#{…}` → ObjectExpr, `|x| e` → FunctionExpr).
 */
import type { Span } from "../span.js";

interface NodeBase {
  readonly span: Span;
}

export interface Program extends NodeBase {
  readonly kind: "Program";
  readonly body: readonly Statement[];
}

// ─────────────────────────────── statements ───────────────────────────────

export type Statement =
  | VarDecl
  | FunctionDecl
  | IfStmt
  | WhileStmt
  | ForOfStmt
  | ForStmt
  | ReturnStmt
  | BreakStmt
  | ContinueStmt
  | BlockStmt
  | ExprStmt
  | EmptyStmt;

export interface Declarator extends NodeBase {
  readonly kind: "Declarator";
  readonly target: Pattern;
  readonly init?: Expression;
}

/** `let a = 1, b` / `const [x, y] = pair` */
export interface VarDecl extends NodeBase {
  readonly kind: "VarDecl";
  readonly declKind: "let" | "const";
  readonly declarations: readonly Declarator[];
}

/** `fn name(a, b) {…}` or `function name(a, b) {…}` (hoisted within its block). */
export interface FunctionDecl extends NodeBase {
  readonly kind: "FunctionDecl";
  readonly name: Identifier;
  readonly params: readonly Pattern[];
  readonly body: BlockStmt;
}

export interface IfStmt extends NodeBase {
  readonly kind: "IfStmt";
  readonly test: Expression;
  readonly consequent: Statement;
  readonly alternate?: Statement;
}

export interface WhileStmt extends NodeBase {
  readonly kind: "WhileStmt";
  readonly test: Expression;
  readonly body: Statement;
}

/**
 * `for (const x of xs)` (values), `for (const k in obj)` (keys, as in JavaScript) and
 * Rhai's `for x in xs` (values of a list or string, keys of an object).
 */
export interface ForOfStmt extends NodeBase {
  readonly kind: "ForOfStmt";
  readonly mode: "of" | "in" | "rhai";
  readonly declKind: "let" | "const" | undefined;
  readonly target: Pattern;
  readonly iterable: Expression;
  readonly body: Statement;
}

/** `for (init; test; update) body` */
export interface ForStmt extends NodeBase {
  readonly kind: "ForStmt";
  readonly init?: VarDecl | ExprStmt;
  readonly test?: Expression;
  readonly update?: Expression;
  readonly body: Statement;
}

export interface ReturnStmt extends NodeBase {
  readonly kind: "ReturnStmt";
  readonly argument?: Expression;
}

export interface BreakStmt extends NodeBase {
  readonly kind: "BreakStmt";
}

export interface ContinueStmt extends NodeBase {
  readonly kind: "ContinueStmt";
}

export interface BlockStmt extends NodeBase {
  readonly kind: "BlockStmt";
  readonly body: readonly Statement[];
}

export interface ExprStmt extends NodeBase {
  readonly kind: "ExprStmt";
  readonly expression: Expression;
}

export interface EmptyStmt extends NodeBase {
  readonly kind: "EmptyStmt";
}

// ─────────────────────────────── patterns ───────────────────────────────

export type Pattern = Identifier | ObjectPattern | ArrayPattern;

/** `{a, b: c}` in a declaration or parameter. */
export interface ObjectPattern extends NodeBase {
  readonly kind: "ObjectPattern";
  readonly properties: readonly { readonly key: string; readonly keySpan: Span; readonly value: Identifier }[];
}

/** `[a, , b]` in a declaration or parameter (holes are null). */
export interface ArrayPattern extends NodeBase {
  readonly kind: "ArrayPattern";
  readonly elements: readonly (Identifier | null)[];
}

// ─────────────────────────────── expressions ───────────────────────────────

export type Expression =
  | NumberLiteral
  | StringLiteral
  | TemplateLiteral
  | BooleanLiteral
  | NullLiteral
  | Identifier
  | ArrayExpr
  | ObjectExpr
  | FunctionExpr
  | UnaryExpr
  | UpdateExpr
  | BinaryExpr
  | LogicalExpr
  | ConditionalExpr
  | AssignExpr
  | MemberExpr
  | IndexExpr
  | CallExpr;

export interface NumberLiteral extends NodeBase {
  readonly kind: "Number";
  readonly value: number;
}

export interface StringLiteral extends NodeBase {
  readonly kind: "String";
  readonly value: string;
}

/** `` `a${x}b` ``: `quasis.length === expressions.length + 1`. */
export interface TemplateLiteral extends NodeBase {
  readonly kind: "Template";
  readonly quasis: readonly string[];
  readonly expressions: readonly Expression[];
}

export interface BooleanLiteral extends NodeBase {
  readonly kind: "Boolean";
  readonly value: boolean;
}

export interface NullLiteral extends NodeBase {
  readonly kind: "Null";
}

export interface Identifier extends NodeBase {
  readonly kind: "Identifier";
  readonly name: string;
}

export interface Spread extends NodeBase {
  readonly kind: "Spread";
  readonly argument: Expression;
}

export interface ArrayExpr extends NodeBase {
  readonly kind: "Array";
  readonly elements: readonly (Expression | Spread)[];
}

export interface Property extends NodeBase {
  readonly kind: "Property";
  /** The key as written (a name, a string or a number); undefined when computed. */
  readonly key?: string;
  /** `[expr]: value` */
  readonly computed?: Expression;
  readonly keySpan: Span;
  readonly value: Expression;
}

/** `{k: v, [expr]: v, k, ...o}` or Rhai's `#{k: v}`. */
export interface ObjectExpr extends NodeBase {
  readonly kind: "Object";
  readonly properties: readonly (Property | Spread)[];
}

/** Arrow functions `x => e`, `(a, b) => {…}`, Rhai closures `|x| e`, `function (a) {…}`. */
export interface FunctionExpr extends NodeBase {
  readonly kind: "Function";
  readonly name?: string;
  readonly params: readonly Pattern[];
  /** A block body, or an expression whose value is returned. */
  readonly body: BlockStmt | Expression;
}

export interface UnaryExpr extends NodeBase {
  readonly kind: "Unary";
  readonly operator: "!" | "-" | "+" | "typeof" | "await";
  readonly argument: Expression;
}

/** `i++`, `--i` */
export interface UpdateExpr extends NodeBase {
  readonly kind: "Update";
  readonly operator: "++" | "--";
  readonly prefix: boolean;
  readonly target: Identifier | MemberExpr | IndexExpr;
}

export type BinaryOperator = "+" | "-" | "*" | "/" | "%" | "==" | "!=" | "===" | "!==" | "<" | "<=" | ">" | ">=" | "in";

export interface BinaryExpr extends NodeBase {
  readonly kind: "Binary";
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
}

export interface LogicalExpr extends NodeBase {
  readonly kind: "Logical";
  readonly operator: "&&" | "||" | "??";
  readonly left: Expression;
  readonly right: Expression;
}

export interface ConditionalExpr extends NodeBase {
  readonly kind: "Conditional";
  readonly test: Expression;
  readonly consequent: Expression;
  readonly alternate: Expression;
}

export type AssignOperator = "=" | "+=" | "-=" | "*=" | "/=" | "%=";

export interface AssignExpr extends NodeBase {
  readonly kind: "Assign";
  readonly operator: AssignOperator;
  readonly target: Identifier | MemberExpr | IndexExpr;
  readonly value: Expression;
}

/** `o.name` or `o?.name` */
export interface MemberExpr extends NodeBase {
  /** The outermost link of a chain with a `?.`: a short-circuited chain ends here as `undefined`. */
  readonly chainEnd?: boolean;
  readonly kind: "Member";
  readonly object: Expression;
  readonly property: string;
  readonly propertySpan: Span;
  readonly optional: boolean;
}

/** `o[expr]` or `o?.[expr]` */
export interface IndexExpr extends NodeBase {
  /** The outermost link of a chain with a `?.`: a short-circuited chain ends here as `undefined`. */
  readonly chainEnd?: boolean;
  readonly kind: "Index";
  readonly object: Expression;
  readonly index: Expression;
  readonly optional: boolean;
}

/** `f(a, ...xs)` or `f?.(a)` */
export interface CallExpr extends NodeBase {
  /** The outermost link of a chain with a `?.`: a short-circuited chain ends here as `undefined`. */
  readonly chainEnd?: boolean;
  readonly kind: "Call";
  readonly callee: Expression;
  readonly arguments: readonly (Expression | Spread)[];
  readonly optional: boolean;
}

export type AnyNode = Program | Statement | Expression | Pattern | Declarator | Property | Spread;
