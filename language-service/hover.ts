/** Hover (filled in below the API commit). */
import type { Document } from "./document.js";
import type { ServiceRegistrySnapshot } from "./snapshot.js";
import type { LsHover, LsPosition } from "./types.js";

export function hover(_doc: Document, _p: LsPosition, _registry: ServiceRegistrySnapshot | undefined): LsHover | null {
  return null;
}
