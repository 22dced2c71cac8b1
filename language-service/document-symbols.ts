/** Document symbols (filled in below the API commit). */
import type { Document } from "./document.js";
import type { LsDocumentSymbol } from "./types.js";

export function documentSymbols(_doc: Document): LsDocumentSymbol[] {
  return [];
}
