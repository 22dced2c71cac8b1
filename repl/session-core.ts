/**
 * What the built-ins (builtins.ts, graph-builtins.ts, capability-calls.ts) see of a
 * session: `SessionCore`, which the `Session` class (session.ts) implements, and the
 * running cell's record, `CellState`. Declared here so that the session, which installs
 * the built-ins, and the built-ins, which call back into the session, do not import
 * each other.
 */
import type { Blueprint, CapabilityKind, Decision } from "../compiler/index.js";
import type { Diagnostic } from "../grammar/diagnostic.js";
import type { Span } from "../grammar/span.js";
import type { Registry, SessionPolicy, SpendBook } from "../registry/index.js";
import type { Checkpointer } from "../runtime/index.js";
import type { CallRecord, SessionEventBody } from "./events.js";
import type { CapabilityHost, HostIds } from "./host.js";
import type { MethodRuntime } from "./method-runtime.js";
import type { ApprovalStore } from "./review.js";
import type { Author } from "./session-trust.js";
import type { Value } from "./values.js";

/** What a running cell records; read by the built-ins. */
export interface CellState {
  readonly cellId: string;
  /** The name diagnostics use for the cell's source. */
  readonly file: string;
  readonly controller: AbortController;
  stdout: string[];
  outputBytes: number;
  readonly calls: CallRecord[];
  readonly warnings: Diagnostic[];
  answered: boolean;
  answer: unknown;
  callSeq: number;
}

/** The session as its built-ins use it (see `Session` in session.ts for each member). */
export interface SessionCore {
  readonly id: string;
  readonly depth: number;
  readonly policy: SessionPolicy;
  readonly registry: Registry;
  readonly author: Author;
  readonly approvals: ApprovalStore;
  readonly host: CapabilityHost;
  readonly checkpointer: Checkpointer;
  readonly spend: SpendBook | undefined;
  readonly graphs: Map<string, Blueprint>;
  readonly threads: Set<string>;
  readonly extraGraphs: ReadonlyMap<string, Blueprint>;
  readonly counts: { model: number; tool: number; agent: number; graph: number; definition: number };
  finalAnswer: unknown;
  routeLabel: string | undefined;
  answered: boolean;
  current: CellState | undefined;
  readonly runtime: MethodRuntime;
  emit(body: SessionEventBody, capability?: string): void;
  currentSpan(): Span;
  hostIds(): HostIds;
  exportValue(v: Value, what: string, maxBytes?: number, warn?: boolean, charge?: (bytes: number) => void): unknown;
  variablePreviews(max?: number, rt?: MethodRuntime): Record<string, string>;
  authorize(kind: CapabilityKind, name: string): Decision;
  capabilityNames(): { models: Set<string>; tools: Set<string>; agents: Set<string>; graphs: Set<string> };
  graph(name: string): Blueprint | undefined;
}
