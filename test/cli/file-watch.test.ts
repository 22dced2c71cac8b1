/**
 * What `rag lsp` and `rag studio` watch (cli/file-watch.ts): a change is reported against
 * how the file was when the watch started. With `fs.watchFile` the starting status was
 * read later, on the thread pool, so a config created right after the watch began (on a
 * loaded machine: while a document's first check ran) became the starting point and was
 * never reported — `rag lsp` never applied it.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileWatches } from "../../cli/file-watch.js";
import { scratchDir } from "../helpers/scratch-dirs.js";

const watches = new FileWatches(20);
afterEach(() => watches.close());

/** Resolves once `n` changes were reported, or fails after 10 s. */
function counter() {
  let n = 0;
  const waiters: [number, () => void][] = [];
  return {
    onChange: () => {
      n++;
      for (const [want, go] of waiters) if (n >= want) go();
    },
    get count() {
      return n;
    },
    until: (want: number) =>
      new Promise<void>((resolve, reject) => {
        if (n >= want) return resolve();
        const t = setTimeout(() => reject(new Error(`${n} of ${want} changes reported after 10 s`)), 10_000);
        waiters.push([want, () => (clearTimeout(t), resolve())]);
      }),
  };
}

describe("FileWatches", () => {
  it("reports a file created at once after the watch started", async () => {
    const dir = scratchDir("rag-watch-");
    const c = counter();
    watches.watch("", join(dir, "rag.config.ts"), c.onChange);
    writeFileSync(join(dir, "rag.config.ts"), "export default {};\n");
    await c.until(1);
  });

  it("reports an edit, a replacement by rename (an editor's save) and a removal; nothing after unwatch", async () => {
    const dir = scratchDir("rag-watch-");
    const file = join(dir, "c.ts");
    writeFileSync(file, "a");
    const c = counter();
    watches.watch("o", file, c.onChange);
    writeFileSync(file, "ab");
    await c.until(1);
    writeFileSync(join(dir, "tmp"), "ab");
    renameSync(join(dir, "tmp"), file);
    await c.until(2);
    rmSync(file);
    await c.until(3);
    watches.unwatch("o");
    writeFileSync(file, "again");
    await new Promise((r) => setTimeout(r, 200));
    expect(c.count).toBe(3);
  });
});
