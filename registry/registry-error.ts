/**
 * `RegistryError`: a registry or config mistake (an unknown or duplicate name, a bad
 * approvals file). A `RagError` (stable `code` `"registry"`, plain JSON for `--json` and
 * events) like every other typed error. In a module of its own, depending only on the
 * tiny `rag-error.ts`, so that modules needing only the error class (approvals-file.ts,
 * and through it `rag check`) do not load the registry and zod.
 */
import { RagError } from "./rag-error.js";

export class RegistryError extends RagError {
  readonly code = "registry";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
  }
}
