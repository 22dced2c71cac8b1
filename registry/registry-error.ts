/**
 * `RegistryError`: a registry or config mistake (an unknown or duplicate name, a bad
 * approvals file). In a module of its own so that modules needing only the error class
 * (approvals-file.ts, and through it `rag check`) do not load the registry and zod.
 */
export class RegistryError extends Error {
  readonly code = "registry";
  constructor(message: string) {
    super(message);
    this.name = "RegistryError";
  }
}
