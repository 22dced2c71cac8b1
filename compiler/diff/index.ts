/** Semantic diff of Blueprints (`rag diff`, the REPL's `graph_diff`). */
export { diffBlueprints, type BlueprintChange, type BlueprintDiff, type ChangeOp, type DiffArea, type FieldChange } from "./diff.js";
export { renderDiff } from "./render.js";
