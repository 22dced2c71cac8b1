/**
 * Paths to the shared corpora beside the repository (`../shared`: the tinyagents
 * compatibility corpus, the seeds), read in place.
 *
 * A fresh clone has no `../shared`: tests that need it skip, and say so once per file on
 * stderr. Where the corpora must be present (`.ci/run` sets `RAGRAPH_REQUIRE_SHARED=1`),
 * their absence fails the test file instead of skipping it.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

export const SHARED_DIR = fileURLToPath(new URL("../../../shared/", import.meta.url));

/** True when `../shared` exists beside the repository. */
export const HAS_SHARED = existsSync(SHARED_DIR);

/** Why shared-corpus tests are skipped, or `undefined` when they run. */
export const SHARED_SKIP_REASON = HAS_SHARED ? undefined : `${SHARED_DIR} is absent (a fresh clone): tests of the shared corpora are skipped`;

let warned = false;
/**
 * Says once on stderr that `../shared` is absent and its tests skip (call it where a test
 * file uses `describe.skipIf(!HAS_SHARED)` / `it.skipIf(!HAS_SHARED)`); throws instead
 * under `RAGRAPH_REQUIRE_SHARED=1` (CI), so a skipped corpus fails the run there.
 */
export function noteSharedAbsent(): void {
  if (HAS_SHARED || warned) return;
  warned = true;
  if (process.env.RAGRAPH_REQUIRE_SHARED === "1") {
    throw new Error(`RAGRAPH_REQUIRE_SHARED=1 but ${SHARED_DIR} is absent: the shared-corpus tests would be skipped`);
  }
  process.stderr.write(`skip: ${SHARED_SKIP_REASON}\n`);
}

/** The text of `../shared/<relative>`; throws ENOENT when absent (guard with {@link HAS_SHARED}). */
export function readShared(relative: string): string {
  return readFileSync(SHARED_DIR + relative, "utf8");
}

/**
 * `../shared/<relative>` parsed as JSON, or `fallback` when `../shared` is absent (after
 * printing the skip reason, or throwing under `RAGRAPH_REQUIRE_SHARED=1`).
 */
export function readSharedJson<T>(relative: string, fallback: T): T {
  noteSharedAbsent();
  return HAS_SHARED ? (JSON.parse(readShared(relative)) as T) : fallback;
}

/** `it`, skipped (with the reason printed) when `../shared` is absent. */
export function itShared(name: string, fn: () => unknown): void {
  noteSharedAbsent();
  it.skipIf(!HAS_SHARED)(name, fn);
}

/** `describe`, skipped (with the reason printed) when `../shared` is absent. */
export function describeShared(name: string, fn: () => void): void {
  noteSharedAbsent();
  describe.skipIf(!HAS_SHARED)(name, fn);
}
