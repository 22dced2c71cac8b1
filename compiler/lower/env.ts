/** What lowering needs besides the node or graph at hand. */
import type { RegistryView } from "../registry-view.js";
import type { ResolvedProgram } from "../resolve/resolve.js";

export interface LowerEnv {
  readonly program: ResolvedProgram;
  readonly registry: RegistryView | undefined;
  /** Named schemas referenced while lowering the current graph. */
  readonly schemasUsed: Set<string>;
  /** Inline agents referenced by the current graph. */
  readonly agentsUsed: Set<string>;
}
