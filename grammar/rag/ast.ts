/**
 * The `.rag` abstract syntax tree (`language.md` §2–3).
 *
 * Every node is a readonly interface discriminated by `kind` and carries a required
 * `span`. A node rebuilt by error recovery has `recovered: true`; names that were
 * missing from the source are empty strings with a zero-width span at the point where
 * the name was expected (never a 0:0 fallback), and later stages skip them.
 */
import type { Comment } from "./lexer.js";
import type { Span } from "../span.js";

interface Base {
  readonly span: Span;
  readonly recovered?: boolean;
}

// ───────────────────────────── names and literals ─────────────────────────────

export interface Identifier extends Base {
  readonly kind: "Identifier";
  readonly name: string;
}

/** `START`, `END` or a node name, where a node is referenced. */
export interface NodeRef extends Base {
  readonly kind: "NodeRef";
  readonly name: string;
}

export interface StringLiteral extends Base {
  readonly kind: "String";
  /** The decoded value. */
  readonly value: string;
  /** `"`, `'` or `"""`. */
  readonly quote: '"' | "'" | '"""';
  /** The token text as written, quotes included. */
  readonly raw: string;
}

export interface NumberLiteral extends Base {
  readonly kind: "Number";
  readonly value: number;
  readonly raw: string;
}

export interface BooleanLiteral extends Base {
  readonly kind: "Boolean";
  readonly value: boolean;
}

export interface NullLiteral extends Base {
  readonly kind: "Null";
}

/** `250ms`, `30s`, `5m`, `2h`. `ms` is the value in milliseconds. */
export interface DurationLiteral extends Base {
  readonly kind: "Duration";
  readonly ms: number;
  readonly raw: string;
}

export type Literal = StringLiteral | NumberLiteral | BooleanLiteral | NullLiteral | DurationLiteral;

// ───────────────────────────── static values (blocks) ─────────────────────────────

/** A bare word used as a value (`checkpoint inherit`), optionally applied to a list or block (`allow [..]`). */
export interface WordValue extends Base {
  readonly kind: "Word";
  readonly name: string;
  readonly arg?: ListValue | Block;
}

export interface ListValue extends Base {
  readonly kind: "List";
  readonly items: readonly Value[];
}

/** `{ key value  key: value }`: configuration (defaults, retry, metadata, cache). */
export interface Block extends Base {
  readonly kind: "Block";
  readonly entries: readonly BlockEntry[];
}

export interface BlockEntry extends Base {
  readonly kind: "BlockEntry";
  readonly key: Identifier;
  readonly value: Value;
}

export type Value = Literal | WordValue | ListValue | Block;

// ───────────────────────────── expressions (§3) ─────────────────────────────

export interface NameExpr extends Base {
  readonly kind: "Name";
  readonly name: string;
}

export interface MemberExpr extends Base {
  readonly kind: "Member";
  readonly object: Expr;
  readonly property: Identifier;
}

export interface IndexExpr extends Base {
  readonly kind: "Index";
  readonly object: Expr;
  readonly index: Expr;
}

export interface CallExpr extends Base {
  readonly kind: "Call";
  readonly callee: Expr;
  readonly args: readonly Expr[];
}

export type UnaryOp = "not" | "-";
export interface UnaryExpr extends Base {
  readonly kind: "Unary";
  readonly op: UnaryOp;
  readonly operand: Expr;
}

export type BinaryOp = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "+" | "-" | "*" | "/" | "%";
export interface BinaryExpr extends Base {
  readonly kind: "Binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

export interface ListExpr extends Base {
  readonly kind: "ListExpr";
  readonly items: readonly Expr[];
}

export interface ObjectExpr extends Base {
  readonly kind: "ObjectExpr";
  readonly entries: readonly ExprEntry[];
}

/**
 * `[element for variable in iterable if filter]` (`language.md` §3.2). `bare` when it is
 * written without brackets as a call's only argument: `count(x.ok for x in state.items)`.
 */
export interface ComprehensionExpr extends Base {
  readonly kind: "Comprehension";
  readonly element: Expr;
  readonly variable: Identifier;
  readonly iterable: Expr;
  readonly filter?: Expr;
  readonly bare: boolean;
}

export type Expr =
  | StringLiteral
  | NumberLiteral
  | BooleanLiteral
  | NullLiteral
  | NameExpr
  | MemberExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ListExpr
  | ComprehensionExpr
  | ObjectExpr;

/** `key: expr` (the colon is optional outside expression object literals). */
export interface ExprEntry extends Base {
  readonly kind: "ExprEntry";
  readonly key: Identifier;
  readonly value: Expr;
}

/** `{ key: expr … }` after `set`, `writes`, `input`, `update` and send targets. */
export interface ExprMap extends Base {
  readonly kind: "ExprMap";
  readonly entries: readonly ExprEntry[];
}

/** A string in a template position, split into text and `{{ expr }}` parts. */
export interface Template extends Base {
  readonly kind: "Template";
  readonly literal: StringLiteral;
  readonly parts: readonly TemplatePart[];
}

export type TemplatePart = { readonly kind: "Text"; readonly text: string; readonly span: Span } | { readonly kind: "Interpolation"; readonly expr: Expr; readonly span: Span };

// ───────────────────────────── types and fields (§2.2) ─────────────────────────────

/** `string`, `list<T>`, `map<T>`, a schema name … */
export interface NamedType extends Base {
  readonly kind: "NamedType";
  readonly name: Identifier;
  readonly args: readonly TypeExpr[];
  /** `number(0..1)`, `integer(1..)`, `string(/^[A-Z]{3}$/)` (`language.md` §4.1). */
  readonly constraint?: TypeConstraint;
}

/** A numeric range (inclusive; either bound may be left out) or a string pattern. */
export type TypeConstraint =
  | { readonly kind: "Range"; readonly min?: NumberLiteral; readonly max?: NumberLiteral; readonly span: Span }
  | { readonly kind: "Pattern"; readonly source: string; readonly span: Span };

/** `T[]` */
export interface ArrayType extends Base {
  readonly kind: "ArrayType";
  readonly element: TypeExpr;
}

/** `{ field* }` */
export interface RecordType extends Base {
  readonly kind: "RecordType";
  readonly fields: readonly Field[];
}

/** `"a" | "b"` */
export interface EnumType extends Base {
  readonly kind: "EnumType";
  readonly values: readonly StringLiteral[];
}

/** `T?` */
export interface OptionalType extends Base {
  readonly kind: "OptionalType";
  readonly inner: TypeExpr;
}

export type TypeExpr = NamedType | ArrayType | RecordType | EnumType | OptionalType;

/** A reducer and its literal arguments: `append`, `barrier 2`, `aggregate "fn"`, `named_barrier [a, b]`. */
export interface ReducerSpec extends Base {
  readonly kind: "Reducer";
  readonly name: Identifier;
  readonly args: readonly (Literal | ListValue)[];
}

/** `name ":"? type reducer? ("=" value)?` */
export interface Field extends Base {
  readonly kind: "Field";
  readonly name: Identifier;
  readonly type: TypeExpr;
  readonly reducer?: ReducerSpec;
  readonly default?: Value;
}

// ───────────────────────────── node items (§2.3) ─────────────────────────────

interface ItemBase extends Base {
  /** The item's leading keyword, for diagnostics about the item as a whole. */
  readonly keyword: Identifier;
}

export interface KindItem extends ItemBase {
  readonly kind: "KindItem";
  readonly value: Identifier;
}

export type BindingKeyword = "model" | "agent" | "graph" | "script" | "tool" | "route";
/** `model "x"`, `agent "x"`, `graph "x"`, `script "x"`, `tool "x"`, `route "fn"`. */
export interface BindingItem extends ItemBase {
  readonly kind: "BindingItem";
  readonly binding: BindingKeyword;
  readonly value: StringLiteral;
}

/** `system …` or `prompt …` */
export interface TemplateItem extends ItemBase {
  readonly kind: "TemplateItem";
  readonly role: "system" | "prompt";
  readonly value: Template;
}

/** `approve [..]` (tools whose every call waits for a person), `tools [..]`, `sources [..]`, `options [..]`, `validate [..]`, `tags [..]`, and a `repl_agent`'s script grants `models [..]`, `agents [..]`, `graphs [..]` */
export interface ListItem extends ItemBase {
  readonly kind: "ListItem";
  readonly list: "tools" | "sources" | "options" | "validate" | "tags" | "models" | "agents" | "graphs" | "approve";
  readonly value: ListValue;
}

/** `input "mapping"` or `input { k: expr }` */
export interface InputItem extends ItemBase {
  readonly kind: "InputItem";
  readonly value: StringLiteral | ExprMap;
}

/** `output { field* }` or `output SchemaName` */
export interface OutputItem extends ItemBase {
  readonly kind: "OutputItem";
  readonly value: RecordType | Identifier;
}

/** `resume { field* }` or `resume SchemaName`: the typed answer an interrupt node accepts (its `result`). */
export interface ResumeItem extends ItemBase {
  readonly kind: "ResumeItem";
  readonly value: RecordType | Identifier;
}
/** `writes channel` or `writes { channel: expr }` */
export interface WritesItem extends ItemBase {
  readonly kind: "WritesItem";
  readonly value: Identifier | ExprMap;
}

export interface SetItem extends ItemBase {
  readonly kind: "SetItem";
  readonly value: ExprMap;
}

/** `attach { image: expr, file: expr }`: image and file parts added to a model/agent node's user message (`language.md` §5.1). */
export interface AttachItem extends ItemBase {
  readonly kind: "AttachItem";
  readonly value: ExprMap;
}

/** `next x` or `next [x, y]` (static fan-out). */
export interface NextItem extends ItemBase {
  readonly kind: "NextItem";
  readonly targets: readonly NodeRef[];
  readonly bracketed: boolean;
}

export interface LabelRoute extends Base {
  readonly kind: "LabelRoute";
  readonly label: Identifier;
  readonly target: NodeRef;
}
export interface WhenRoute extends Base {
  readonly kind: "WhenRoute";
  readonly condition: Expr;
  readonly target: NodeRef;
}
export interface ElseRoute extends Base {
  readonly kind: "ElseRoute";
  readonly target: NodeRef;
}
export type Route = LabelRoute | WhenRoute | ElseRoute;

export interface RoutesItem extends ItemBase {
  readonly kind: "RoutesItem";
  readonly routes: readonly Route[];
}

/** One Send packet template: `target ({args} | "input")? (for x in expr)? (-> channel)?`, or reference `send target "input"`. */
export interface SendTarget extends Base {
  readonly kind: "SendTarget";
  readonly target: Identifier;
  readonly args?: ExprMap | StringLiteral;
  readonly forEach?: { readonly variable: Identifier; readonly iterable: Expr; readonly span: Span };
  readonly into?: Identifier;
}

/** `send [ … ]` or the reference spelling `sends [ send x "in" … ]`. */
export interface SendItem extends ItemBase {
  readonly kind: "SendItem";
  readonly spelling: "send" | "sends";
  readonly targets: readonly SendTarget[];
  /** `concurrency N` after the list: at most N of this send's packets run at once. */
  readonly concurrency?: NumberLiteral;
}

export type WaitPolicy = "all" | "first" | number;
/** `join X (wait all|first|N)?` */
export interface JoinItem extends ItemBase {
  readonly kind: "JoinItem";
  readonly target: NodeRef;
  readonly wait?: { readonly policy: WaitPolicy; readonly span: Span };
}

/** `command { goto x update { … } }` */
export interface CommandItem extends ItemBase {
  readonly kind: "CommandItem";
  readonly goto?: NodeRef;
  /** The `parent` of `goto parent.NODE`: `goto` names a node of the graph running this one as a subgraph. */
  readonly parent?: Identifier;
  readonly update?: ExprMap;
}

/** `blocking true`, `optional false`, `defer true` (a bare flag means true). */
export interface FlagItem extends ItemBase {
  readonly kind: "FlagItem";
  readonly flag: "blocking" | "optional" | "defer" | "persistent";
  readonly value: boolean;
}

/** `retry {…}`, `metadata {…}`, `budget {…}`, `cache {…}` / `cache true`. */
export interface BlockItem extends ItemBase {
  readonly kind: "BlockItem";
  readonly block: "retry" | "metadata" | "cache" | "budget";
  readonly value: Block | BooleanLiteral;
}

/** `timeout 30s`, `timeout "30s"`, `timeout 30` (seconds). */
export interface TimeoutItem extends ItemBase {
  readonly kind: "TimeoutItem";
  readonly value: DurationLiteral | NumberLiteral | StringLiteral;
}

export interface MaxStepsItem extends ItemBase {
  readonly kind: "MaxStepsItem";
  readonly value: NumberLiteral;
}

export interface OnErrorItem extends ItemBase {
  readonly kind: "OnErrorItem";
  readonly target: NodeRef;
}

/** `checkpoint inherit|none|sync|async|exit` on a node. */
export interface CheckpointItem extends ItemBase {
  readonly kind: "CheckpointItem";
  readonly value: Identifier;
}

export interface SteeringEntry extends Base {
  readonly kind: "SteeringEntry";
  readonly who: "parent" | "human" | "delivery";
  readonly keyword: Identifier;
  readonly value: ListValue | StringLiteral;
}

/** `steering { parent allow [..] human allow [..] delivery "…" }` */
export interface SteeringItem extends ItemBase {
  readonly kind: "SteeringItem";
  readonly entries: readonly SteeringEntry[];
}

/** An item the grammar does not know; reported as `E-rag-unexpected-token`. */
export interface UnknownItem extends ItemBase {
  readonly kind: "UnknownItem";
}

export type NodeItem =
  | KindItem
  | BindingItem
  | TemplateItem
  | ListItem
  | InputItem
  | OutputItem
  | ResumeItem
  | WritesItem
  | SetItem
  | AttachItem
  | NextItem
  | RoutesItem
  | SendItem
  | JoinItem
  | CommandItem
  | FlagItem
  | BlockItem
  | TimeoutItem
  | MaxStepsItem
  | OnErrorItem
  | CheckpointItem
  | SteeringItem
  | UnknownItem;

// ───────────────────────────── graph items (§2.1) ─────────────────────────────

/** `start NODE`, or a conditional entry `start routes { when … -> a  else -> b }`. */
export interface StartItem extends ItemBase {
  readonly kind: "StartItem";
  /** Absent for a conditional entry. */
  readonly target?: Identifier;
  /** The conditional entry's routes (`when`/`else`; a labelled route is a diagnostic). */
  readonly routes?: RoutesItem;
}

export interface StateItem extends ItemBase {
  readonly kind: "StateItem";
  readonly name?: Identifier;
  readonly fields: readonly Field[];
}

export interface ChannelItem extends ItemBase {
  readonly kind: "ChannelItem";
  readonly name: Identifier;
  readonly reducer: ReducerSpec;
}

export interface IoItem extends ItemBase {
  readonly kind: "IoItem";
  readonly direction: "input" | "output";
  readonly fields: readonly Field[];
}

/** `defaults {…}`, `metadata {…}`, `budget {…}` (the run's budget; same as `defaults { budget {…} }`) */
export interface ConfigItem extends ItemBase {
  readonly kind: "ConfigItem";
  readonly config: "defaults" | "metadata" | "budget";
  readonly value: Block;
}

export interface TagsItem extends ItemBase {
  readonly kind: "TagsItem";
  readonly value: ListValue;
}

/** `allow tools ["search"]` */
export interface AllowItem extends ItemBase {
  readonly kind: "AllowItem";
  readonly capability: Identifier;
  readonly value: ListValue;
}

export interface NodeDecl extends ItemBase {
  readonly kind: "NodeDecl";
  readonly name: Identifier;
  readonly items: readonly NodeItem[];
}

/** `a -> b -> c` (START may stand first, END last). */
export interface EdgeItem extends Base {
  readonly kind: "EdgeItem";
  readonly refs: readonly NodeRef[];
}

/** `join [a, b] -> c` */
export interface JoinEdgeItem extends ItemBase {
  readonly kind: "JoinEdgeItem";
  readonly sources: readonly Identifier[];
  readonly target: NodeRef;
}

/** `interrupt before [a]` / `interrupt after [b]` */
export interface InterruptAroundItem extends ItemBase {
  readonly kind: "InterruptAroundItem";
  readonly when: "before" | "after";
  readonly nodes: readonly Identifier[];
}

/** `interrupt manual|auto`, `checkpoint inherit|…` (reference policy words). */
export interface PolicyItem extends ItemBase {
  readonly kind: "PolicyItem";
  readonly policy: "interrupt" | "checkpoint";
  readonly value: Identifier;
}

export type GraphItem =
  | StartItem
  | StateItem
  | ChannelItem
  | IoItem
  | ConfigItem
  | TagsItem
  | AllowItem
  | NodeDecl
  | EdgeItem
  | JoinEdgeItem
  | InterruptAroundItem
  | PolicyItem
  | UnknownItem;

// ───────────────────────────── top level ─────────────────────────────

export interface GraphDecl extends ItemBase {
  readonly kind: "GraphDecl";
  readonly name: Identifier;
  readonly items: readonly GraphItem[];
}

/** `agent name { node_item* }`: an inline sub-agent. */
export interface AgentDecl extends ItemBase {
  readonly kind: "AgentDecl";
  readonly name: Identifier;
  readonly items: readonly NodeItem[];
}

/** `schema Name { field* }` */
export interface SchemaDecl extends ItemBase {
  readonly kind: "SchemaDecl";
  readonly name: Identifier;
  readonly fields: readonly Field[];
}

export type TopItem = GraphDecl | AgentDecl | SchemaDecl;

export interface Program extends Base {
  readonly kind: "Program";
  readonly items: readonly TopItem[];
  readonly comments: readonly Comment[];
}

export type { Comment };
