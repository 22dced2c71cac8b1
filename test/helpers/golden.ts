/**
 * Golden files: `expectGolden(path, actual)` compares with the committed file; run with
 * `UPDATE_GOLDEN=1` to rewrite goldens after an intended change (then review the diff).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { expect } from "vitest";

export function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    writeFileSync(path, actual);
    if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`golden ${path} did not exist; it was written — review and commit it`);
    return;
  }
  expect(actual, `golden ${path} (UPDATE_GOLDEN=1 to rewrite)`).toBe(readFileSync(path, "utf8"));
}

/** JSON with spans compacted to "line:col-line:col", for readable goldens. */
export function compactJson(value: unknown): string {
  return (
    JSON.stringify(
      value,
      (k, v) => (k === "span" && v && typeof v === "object" && "start" in v ? `${v.start.line}:${v.start.column}-${v.end.line}:${v.end.column}` : v),
      2,
    ) + "\n"
  );
}
