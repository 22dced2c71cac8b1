/** Completion (filled in below the API commit). */
import type { Document } from "./document.js";
import type { ServiceRegistrySnapshot } from "./snapshot.js";
import type { LsCompletionList, LsPosition } from "./types.js";

export function complete(_doc: Document, _p: LsPosition, _registry: ServiceRegistrySnapshot | undefined): LsCompletionList {
  return { isIncomplete: false, items: [] };
}
