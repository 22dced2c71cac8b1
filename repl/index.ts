/**
 * The `.ragsh` REPL (`repl.md`): the interpreter, sessions with their built-ins and
 * policy, and the CodeAct `repl_agent` node kind.
 */
export { Session, toDiagnostic, type CellResult, type SessionOptions, type SessionParent } from "./session.js";
export type { CellState, SessionCore } from "./session-core.js";
export { Interpreter, type RunLimits } from "./interpreter.js";
export { InMemoryApprovals, type ApprovalStore } from "./review.js";
export { RESERVED_CAPABILITIES } from "./builtins.js";
export { sessionHost, nodeHost, type CapabilityHost } from "./host.js";
export type { AnyEvent, CallRecord, SessionEvent, SessionEventBody, SessionEventType, SessionSink } from "./events.js";
export { formatValue } from "./boundary.js";
export { replAgentKind, withRepl, extractBlocks, compactResult, functionsCard } from "./codeact.js";
export { standardRegistry, registryFromConfig } from "./standard-registry.js";
