/**
 * vitest.config.ts runs files with `isolate: false` (a worker keeps its module cache
 * between files), so `vi.mock` would not reach a module another file already loaded and
 * a mocked test would pass or fail by file order. No test file may mock modules: pass the
 * dependency in instead (e.g. `fixAll`'s compile function).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL(".", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "node_modules" ? [] : files(join(dir, e.name))) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

it("no test file uses vi.mock / vi.doMock (unsafe with isolate: false)", () => {
  const pattern = new RegExp(["vi", "\\.(do)?[mM]ock\\("].join(""));
  const offenders = files(root).filter((f) => pattern.test(readFileSync(f, "utf8")));
  expect(offenders).toEqual([]);
});
