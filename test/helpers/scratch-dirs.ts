/**
 * Temp folders a test file makes through helpers (`scratchProject` in cli.ts), removed
 * after the file by test/helpers/setup.ts (vitest `setupFiles`, run for every file). A
 * worker keeps helper modules from one file to the next (`isolate: false`), so a hook a
 * helper registered when imported ran after the first file only, and later files'
 * folders stayed in the temp folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/** A new temp folder named `prefix…`, removed after the running test file. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes the folders `scratchDir` made so far. */
export function removeScratchDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
