/** Semantic tokens (filled in below the API commit). */
import type { Document } from "./document.js";
import type { LsSemanticTokens, LsSemanticTokensLegend } from "./types.js";

/** Token types and modifiers, in the order their indexes encode them. */
export const SEMANTIC_TOKENS_LEGEND: LsSemanticTokensLegend = {
  tokenTypes: ["keyword", "type", "class", "function", "variable", "property", "string", "number", "comment", "operator", "enumMember", "namespace", "macro", "parameter", "event"],
  tokenModifiers: ["declaration", "readonly", "defaultLibrary"],
};

export function semanticTokens(_doc: Document): LsSemanticTokens {
  return { data: [] };
}
