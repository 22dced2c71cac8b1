/**
 * The simulation stage (`rag simulate`, issue 15 §5): runs a graph on the real runtime
 * against a registry of stand-ins, enumerating every choice, and checks `// rag:assert`
 * assertions. Uses registry/, runtime/ and stdlib/; used by the CLI, the author loop
 * and the studio.
 */
export { simulate, MAX_SIMULATED_SUPERSTEPS, type SimulateOptions, type SimulateResult, type SimReport, type SimPath, type SimLoop, type SimViolation } from "./simulate.js";
export { parseAssertions, AssertionSyntaxError, type Assertion } from "./assertions.js";
export { simulationRegistry } from "./registry.js";
export { SimContext } from "./context.js";
export type { SimCall } from "./run-once.js";
