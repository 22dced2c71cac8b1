/**
 * Safe built-in tools (`runtime.md` §7): each is a factory returning a `ToolDefinition`
 * to register under a name of your choice, e.g.
 * `tools: { http_get: httpGet({ allowHosts: ["api.github.com"] }), ...fileTools({ root: "docs" }), calculator: calculator(), now: now() }`.
 * None runs code, writes files or reaches a host it was not given.
 */
export { httpGet, hostAllowed, type HttpGetOptions, type HttpGetResult, type ResolvedAddress } from "./http-get.js";
export { classifyAddress, canonicalAddress, type AddressClass, type AddressKind } from "./net-guard.js";
export { fileTools, confinedPath, type FileToolsOptions, type ListedEntry } from "./files.js";
export { calculator, evaluateArithmetic, CalculatorError } from "./calculator.js";
export { now, type NowOptions } from "./now.js";
