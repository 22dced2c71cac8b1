/**
 * The TypeScript builder API: `GraphBuilder` produces the same Blueprint IR as the
 * `.rag` compiler (browser-safe, like the rest of `compiler/`).
 */
export { GraphBuilder, GraphBuilderError, START, END, type BuildOptions, type InputOf, type StateOf, type Target } from "./graph-builder.js";
export { t, TypeDef, type ChannelValue, type MessageValue, type ReducerWord, type ValueOf, type ValuesOf } from "./types.js";
export { Expr, exprKit, parseExpression, type ExprInput, type ExprKit, type Operand } from "./expr.js";
export type { AgentOptions, ExprMap, KindName, NodeOptions, OutputType, SendOptions } from "./node-spec.js";
