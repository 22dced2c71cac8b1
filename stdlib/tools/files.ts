/**
 * `read_file` and `list_files`: read-only access to one directory tree. Paths are
 * relative to the root; absolute paths, `..` that leaves the root, NUL bytes and
 * symbolic links that resolve outside the root are refused (the real path of the
 * target, after following links, must lie inside the real path of the root). Reads are
 * capped at `maxBytes` (`truncated` says when), listings at `maxEntries`.
 *
 * Hidden files and folders (a path segment starting with `.`: `.env`, `.git`, `.rag`
 * with its checkpoints and approvals, `.ssh`) are refused and left out of listings
 * unless `hidden: true`: the secrets of a workspace live there, and a tool grant to
 * "read the docs" should not be a grant to read the API keys beside them. The rule holds
 * for the path asked for and for the real path a link inside the root leads to.
 *
 * Known limit: the check and the open are two system calls, so a process that can
 * write inside the root could swap a checked path for a link in between; the tools
 * guard against a model's requests, not against a concurrent local attacker.
 */
import { lstat, open, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { tool, type ToolDefinition } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";

export interface FileToolsOptions {
  /** The directory the tools may see. */
  readonly root: string;
  /** Bytes returned by `read_file`. Default 256,000. */
  readonly maxBytes?: number;
  /** Entries returned by `list_files`. Default 1,000. */
  readonly maxEntries?: number;
  /** Whether hidden files and folders (a segment starting with `.`) may be read and listed. Default false. */
  readonly hidden?: boolean;
}

export interface ListedEntry {
  readonly name: string;
  readonly type: "file" | "directory" | "symlink" | "other";
  /** Bytes, for files. */
  readonly size?: number;
}

const refuse = (tool: string, msg: string) => new NodeError(`${tool}: ${msg}`, "permanent");

/** True when a root-relative path has a hidden segment (one starting with `.`, other than `.` and `..`). */
function hiddenSegment(rel: string): string | undefined {
  return rel.split(/[\\/]/).find((seg) => seg.startsWith(".") && seg !== "." && seg !== "..");
}

/**
 * The real path of `path` inside `root`.
 *
 * @param hidden whether hidden segments (`.env`, `.git/…`) are allowed; default false.
 * @throws NodeError (permanent) for an absolute path, an escape from the root (by `..` or a link), a hidden path when not allowed, or a missing file.
 */
export async function confinedPath(root: string, path: string, tool: string, hidden = false): Promise<string> {
  if (path.includes("\0")) throw refuse(tool, "the path contains a NUL byte");
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\")) throw refuse(tool, `\`${path}\` is absolute; give a path relative to the root`);
  const rootReal = await realpath(root);
  const inside = (p: string) => {
    const rel = relative(rootReal, p);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
  };
  const lexical = resolve(rootReal, path);
  if (!inside(lexical)) throw refuse(tool, `\`${path}\` is outside the root`);
  const hiddenHelp = "hidden files and folders are not shared (set `hidden: true` in fileTools to share them)";
  if (!hidden && hiddenSegment(relative(rootReal, lexical))) throw refuse(tool, `\`${path}\` is hidden: ${hiddenHelp}`);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw refuse(tool, code === "ENOENT" ? `\`${path}\` does not exist` : `cannot resolve \`${path}\`: ${code ?? (e as Error).message}`);
  }
  if (!inside(real)) throw refuse(tool, `\`${path}\` leads outside the root (through a symbolic link)`);
  if (!hidden && hiddenSegment(relative(rootReal, real))) throw refuse(tool, `\`${path}\` leads to a hidden file (through a symbolic link): ${hiddenHelp}`);
  return real;
}

/** `{ read_file, list_files }` confined to `options.root`; both read-only. */
export function fileTools(options: FileToolsOptions): { read_file: ToolDefinition; list_files: ToolDefinition } {
  const maxBytes = options.maxBytes ?? 256_000;
  const maxEntries = options.maxEntries ?? 1_000;
  const root = resolve(options.root);
  const hidden = options.hidden === true;
  return {
    read_file: tool({
      description: `Read a text file under the workspace root (paths relative to it). Returns up to ${maxBytes} bytes.`,
      schema: z.object({ path: z.string().min(1).describe("file path relative to the root") }),
      readOnly: true,
      async run({ path }) {
        const real = await confinedPath(root, path, "read_file", hidden);
        const s = await stat(real);
        if (!s.isFile()) throw refuse("read_file", `\`${path}\` is not a file`);
        // Read at most maxBytes + 1 bytes (issue 10 §3: the whole file was read, then cut).
        const fh = await open(real, "r");
        let buf: Buffer;
        try {
          const into = Buffer.alloc(maxBytes + 1);
          let n = 0;
          for (;;) {
            const { bytesRead } = await fh.read(into, n, into.length - n, null);
            if (bytesRead === 0) break;
            n += bytesRead;
            if (n >= into.length) break;
          }
          buf = into.subarray(0, n);
        } finally {
          await fh.close();
        }
        const truncated = buf.byteLength > maxBytes;
        return { path, size: s.size, truncated, content: new TextDecoder("utf-8", { fatal: false }).decode(truncated ? buf.subarray(0, maxBytes) : buf) };
      },
    }),
    list_files: tool({
      description: "List a directory under the workspace root (paths relative to it; `.` is the root).",
      schema: z.object({ path: z.string().default(".").describe("directory path relative to the root") }),
      readOnly: true,
      async run({ path }) {
        const real = await confinedPath(root, path, "list_files", hidden);
        const s = await stat(real);
        if (!s.isDirectory()) throw refuse("list_files", `\`${path}\` is not a directory`);
        const names = (await readdir(real)).filter((n) => hidden || !n.startsWith(".")).sort();
        const entries: ListedEntry[] = [];
        for (const name of names.slice(0, maxEntries)) {
          const l = await lstat(join(real, name));
          const type = l.isSymbolicLink() ? "symlink" : l.isDirectory() ? "directory" : l.isFile() ? "file" : "other";
          entries.push({ name, type, ...(type === "file" ? { size: l.size } : {}) });
        }
        return { path, entries, truncated: names.length > maxEntries };
      },
    }),
  };
}
