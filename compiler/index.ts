/**
 * The compiler stage: resolver, validation rules, diagnostics catalog and renderer,
 * lowering to the Blueprint IR and its hash. No Node built-ins (runs in browsers).
 */
export { compile, compileGraph, type Compilation, type CompileOptions, type CompileTimings } from "./compile.js";
export { applyFixes, fixAll, type AppliedFix, type FixAllResult, type FixResult } from "./fixes.js";
export { IR_VERSION } from "./blueprint.js";
export type * from "./blueprint.js";
export { exprChildren } from "./expr-children.js";
export { blueprintHash, canonicalJson, useSha256, type Sha256, semanticForm, semanticJson, semanticPartJson, sha256Hex, stripSpans } from "./canonical.js";
export { inputReads, type InputRead } from "./input-reads.js";
export { allowedNames, CAPABILITY_KINDS, isUntrusted, PERSON_AUTHORS, reviewRequired, type ApprovalView, type CapabilityAllowlist, type CapabilityKind, type PolicyView } from "./policy-view.js";
export {
  agentGrants,
  allowLimit,
  authorize,
  bindRefusals,
  blueprintCapabilities,
  capabilityNoun,
  childRunLimits,
  grantsAsLimit,
  isRegistryKind,
  nodeGrants,
  unionGrants,
  untrustedLimit,
  type AgentBinding,
  type BindRefusal,
  type ChildRunCaller,
  type AgentBindingLookup,
  type AuthScope,
  type CallerKind,
  type CapabilityRequest,
  type Decision,
  type DenialRule,
  type GrantLimit,
  type Grants,
  type LocalNames,
} from "./grants.js";
export { indirectCapabilities, MAX_REACH_VISITS, reachReport, type IndirectCapability, type ReachLookup, type ReachReport, type RefusedGraph } from "./reach.js";
export { provenanceFromComments, provenanceFromText, provenancePragma } from "./provenance.js";
export { RegistrySnapshotError, snapshotProblem } from "./snapshot-check.js";
export { registryViewFromSnapshot, SNAPSHOT_MODEL_DEFAULTS, type ModelCapabilities, type RegistrySnapshot, type RegistryView } from "./registry-view.js";
export { fieldsSchema, objectShape, schemaText, typeSpecSchema, type AgentSignature, type GraphSignature, type JsonSchema, type ObjectShape, type RegistrySignatures, type RouterSignature, type ScriptSignature, type ToolSignature } from "./signatures.js";
export { signatureSection } from "./signature-card.js";
export { CATALOG, RAGSH_CATALOG, catalogEntry, type CatalogEntry } from "./diagnostics/catalog.js";
export { diagnosticToJson, PLAIN_STYLE, renderDiagnostic, renderDiagnostics, type RenderSource, type RenderStyle } from "./diagnostics/render.js";
export { NODE_KINDS, KIND_ALIASES, canonicalKind } from "./resolve/kinds.js";
export { COMMON_ITEMS, KIND_ITEMS } from "./rules/ItemUnusedRule.js";
export { capLimit, LIMIT_CAPS } from "./limit-caps.js";
export { RESERVED_KEYS } from "./rules/ReservedNameRule.js";
export { isReservedFieldName } from "./rules/ReservedFieldRule.js";
export { BUILTIN_REDUCERS, canonicalReducer } from "./resolve/reducers.js";
export { formatSource, type FormatSourceOptions } from "./format.js";
export { exportGraph, graphView, toDot, toMermaid, GRAPH_FORMATS, type GraphFormat, type GraphView, type GraphViewOptions, type ViewCluster, type ViewEdge, type ViewEdgeKind, type ViewNode, type ViewNodeKind } from "./export/index.js";
export { constraintText, exprSpecText, fieldSpecText, jsonText, reducerSpecText, templateSpecText, typeSpecText } from "./ir-text.js";
export { compilePattern, samplePattern, MAX_PATTERN_INPUT, MAX_PATTERN_LENGTH, MAX_PATTERN_STATES, PatternError, type SafePattern } from "./pattern.js";
export { diffBlueprints, renderDiff, type BlueprintChange, type BlueprintDiff, type ChangeOp, type DiffArea, type FieldChange } from "./diff/index.js";
export { FUNCTIONS, FUNCTION_ARITY, type FunctionSignature } from "./expr/functions.js";
export * from "./builder/index.js";
