/**
 * Scratch folders under `os.tmpdir()` that are removed after the tests: tests never leave
 * their files behind (and never write into the repository tree).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/**
 * Call at the top of a test file (or in a `describe`): the function returned makes a fresh
 * folder `os.tmpdir()/<prefix>XXXXXX` and returns its path; every folder it made is
 * removed, with what it holds (links are removed, not followed), once the file's (or the
 * `describe`'s) tests are done.
 */
export function useTempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
