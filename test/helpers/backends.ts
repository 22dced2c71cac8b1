/**
 * The checkpointers a runtime test runs against, by name: in memory, and a real SQLite
 * file in a scratch folder removed after the file's tests (`scratchDir`; setup.ts removes
 * it). Call at the top of a test file.
 */
import { join } from "node:path";
import { MemoryCheckpointer, SqliteCheckpointer, type Checkpointer } from "../../runtime/index.js";
import { scratchDir } from "./scratch-dirs.js";

export function useCheckpointerBackends(prefix: string): [name: string, make: () => Checkpointer][] {
  return [
    ["memory", () => new MemoryCheckpointer()],
    ["sqlite", () => new SqliteCheckpointer(join(scratchDir(prefix), "c.db"))],
  ];
}
