/** Paths to the shared corpora beside the repository (`../shared`), read in place. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SHARED_DIR = fileURLToPath(new URL("../../../shared/", import.meta.url));

export function readShared(relative: string): string {
  return readFileSync(SHARED_DIR + relative, "utf8");
}
