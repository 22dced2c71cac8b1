/**
 * Reading a text file named by a person or a script (a `.rag`/`.ragsh` source, `--input
 * @file`, `:load FILE`) without hanging or exhausting memory (issue 10 §3: `--input
 * @/dev/zero` read forever): only regular files — not devices, FIFOs, sockets or
 * directories; opened non-blocking so a FIFO cannot stall the open — of at most
 * `maxBytes` bytes, counted while reading since `/proc` files report size 0.
 * Node-only (the runtime's stage); the CLI's `readSource` and the REPL's `:load` share it.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { RagError } from "./errors.js";

/** A file refused or not readable; `message` is `cannot read FILE: why`. */
export class TextFileError extends RagError {
  readonly code = "io";
}

/**
 * The UTF-8 text of `file`; with `noFollow`, a link at its name is refused (a file in a
 * folder a cloned repository may fill: the REPL history, a kept blueprint).
 * @throws TextFileError naming the file and the reason (missing, a directory, a link with `noFollow`, not a regular file, over `maxBytes`, an I/O error).
 */
export function readTextFile(file: string, maxBytes: number, options: { readonly noFollow?: boolean } = {}): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TextFileError(code === "ENOENT" ? `cannot read ${file}: no such file` : code === "EISDIR" ? `cannot read ${file}: it is a directory` : `cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new TextFileError(`cannot read ${file}: it is a directory`);
    if (!st.isFile()) throw new TextFileError(`cannot read ${file}: not a regular file (a device, pipe or socket could be endless)`);
    if (st.size > maxBytes) throw new TextFileError(`cannot read ${file}: ${st.size} bytes is over the limit of ${maxBytes}`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new TextFileError(`cannot read ${file}: over the limit of ${maxBytes} bytes`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } catch (e) {
    if (e instanceof TextFileError) throw e;
    throw new TextFileError(`cannot read ${file}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
