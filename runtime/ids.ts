/**
 * Run, thread and checkpoint ids: `PREFIX-` plus 13 characters of a random UUID
 * (`run-1b2c3d4e-5f60`), unique enough for one store and short enough to type.
 */
export function newId(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID().slice(0, 13)}`;
}
