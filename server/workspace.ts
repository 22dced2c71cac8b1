/**
 * The workspace a studio serves: one folder. Every path the API receives is relative to
 * it and confined to it — absolute paths, `..` segments, NUL bytes and symlinks that
 * lead outside are refused (`forbidden`), before any file is read or written.
 * Only `.rag` and `.ragsh` files are listed and written (a config is code: the studio
 * never writes one).
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, type Stats } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { badRequest, forbidden, notFound } from "./errors.js";
import { makeFolders } from "../registry/make-folders.js";
import { replaceFile } from "../registry/replace-file.js";

/** Largest file the API reads or writes, in bytes. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Longest file or folder name, bytes: file systems take 255, and a write goes through `NAME.<pid>.tmp` first. */
const MAX_NAME_BYTES = 200;
const EDITABLE = /\.(rag|ragsh)$/;
const SKIP_DIRS = new Set(["node_modules", ".git", ".rag"]);

export interface WorkspaceFile {
  /** Path relative to the workspace, with `/` separators. */
  readonly path: string;
  readonly kind: "rag" | "ragsh";
  readonly bytes: number;
}

export class Workspace {
  /** Real (symlink-free) absolute path of the folder. */
  readonly root: string;

  /** @throws ApiError `not_found` when `dir` is not a folder. */
  constructor(dir: string) {
    if (!existsSync(dir) || !lstatSync(realpathSync(dir)).isDirectory()) throw notFound(`workspace ${dir} is not a folder`);
    this.root = realpathSync(dir);
  }

  /**
   * The absolute path of `rel` inside the workspace.
   * @throws ApiError `forbidden` for anything that would leave it.
   */
  resolve(rel: string): string {
    if (typeof rel !== "string" || !rel.length) throw badRequest("a path is required");
    if (rel.includes("\0")) throw forbidden("paths may not contain NUL bytes");
    if (rel.startsWith("/") || rel.startsWith("\\") || /^[A-Za-z]:/.test(rel)) throw forbidden(`${rel}: absolute paths are refused; give a path relative to the workspace`);
    const parts = rel.split(/[\\/]+/).filter((p) => p && p !== ".");
    if (parts.some((p) => p === "..")) throw forbidden(`${rel}: \`..\` is refused; paths stay inside the workspace`);
    // Case-folded: on a case-insensitive file system (macOS, Windows) `NODE_MODULES` is node_modules.
    const hidden = parts.find((p) => p.startsWith(".") || SKIP_DIRS.has(p.toLowerCase()));
    if (hidden !== undefined) throw forbidden(`${rel}: \`${hidden}\` is not served (hidden folders and files, node_modules and the studio's .rag/ records are out of the API's reach)`);
    if (!parts.length) throw badRequest(`${rel}: a file path is required`);
    // A longer name is ENAMETOOLONG from the file system: it was a 500 `internal` naming the workspace's absolute path.
    const long = parts.find((p) => Buffer.byteLength(p) > MAX_NAME_BYTES);
    if (long !== undefined) throw badRequest(`${rel}: \`${long.slice(0, 40)}…\` is longer than ${MAX_NAME_BYTES} bytes, the longest file or folder name the studio takes`, "name_too_long");
    // Walk the components with lstat (which, unlike existsSync, sees a dangling link): every
    // link on the way must resolve to somewhere inside the workspace.
    let at = this.root;
    for (const part of parts) {
      at = join(at, part);
      const st = lstatOrUndefined(at);
      if (!st) break; // the rest does not exist yet
      if (!st.isSymbolicLink()) continue;
      let real: string;
      try {
        real = realpathSync(at);
      } catch {
        throw forbidden(`${rel}: \`${this.relative(at)}\` is a symlink to nothing; the studio does not follow it`);
      }
      if (real !== this.root && !real.startsWith(this.root + sep)) throw forbidden(`${rel}: leads outside the workspace (symlink)`);
      // Where the link really leads is judged as a written path is: a link (a cloned
      // repository can carry one) to `.git`, `.rag` or node_modules took writes there.
      const into = relative(this.root, real).split(sep).find((p) => p.startsWith(".") || SKIP_DIRS.has(p.toLowerCase()));
      if (into !== undefined) throw forbidden(`${rel}: \`${this.relative(at)}\` is a symlink into \`${into}\`, which is not served (hidden folders and files, node_modules and the studio's .rag/ records are out of the API's reach)`);
    }
    return join(this.root, ...parts);
  }

  /** The workspace-relative form of an absolute path inside it. */
  relative(abs: string): string {
    return relative(this.root, abs).split(sep).join("/");
  }

  /** The `.rag` and `.ragsh` files, sorted by path (symlinks are not followed). */
  list(): WorkspaceFile[] {
    const out: WorkspaceFile[] = [];
    const walk = (dir: string, depth: number) => {
      if (depth > 8) return;
      for (const name of readdirSync(dir).sort()) {
        if (name.startsWith(".") || SKIP_DIRS.has(name)) continue;
        const p = join(dir, name);
        const st = lstatSync(p);
        if (st.isSymbolicLink()) continue;
        if (st.isDirectory()) walk(p, depth + 1);
        else if (st.isFile() && EDITABLE.test(name)) out.push({ path: this.relative(p), kind: name.endsWith(".ragsh") ? "ragsh" : "rag", bytes: st.size });
      }
    };
    walk(this.root, 0);
    return out;
  }

  /** The text of a workspace `.rag`/`.ragsh` file. @throws ApiError not_found / forbidden / too large. */
  read(rel: string): string {
    if (!EDITABLE.test(rel)) throw forbidden(`${rel}: the studio reads only .rag and .ragsh files`);
    const full = this.resolve(rel);
    if (!existsSync(full)) throw notFound(`${rel}: no such file in the workspace`);
    const st = lstatSync(full);
    if (!st.isFile()) throw badRequest(`${rel} is not a file`);
    if (st.size > MAX_FILE_BYTES) throw badRequest(`${rel} is larger than ${MAX_FILE_BYTES} bytes`, "too_large");
    return readFileSync(full, "utf8");
  }

  /** Writes a `.rag`/`.ragsh` file (via a temporary file and a rename). */
  write(rel: string, content: string): void {
    if (!EDITABLE.test(rel)) throw forbidden(`${rel}: the studio writes only .rag and .ragsh files`);
    if (Buffer.byteLength(content) > MAX_FILE_BYTES) throw badRequest(`content is larger than ${MAX_FILE_BYTES} bytes`, "too_large");
    const full = this.resolve(rel);
    const st = lstatOrUndefined(full);
    if (st?.isSymbolicLink()) throw forbidden(`${rel} is a symlink; the studio does not write through links`);
    if (st && !st.isFile()) throw badRequest(`${rel} is not a file (a folder has that name)`, "not_a_file");
    // Every missing folder on the way is made; an existing non-folder on the way is refused.
    let dir = dirname(full);
    while (dir !== this.root && !lstatOrUndefined(dir)) dir = dirname(dir);
    if (dir !== this.root && !lstatSync(dir).isDirectory()) throw badRequest(`${rel}: \`${this.relative(dir)}\` is a file, not a folder`, "not_a_file");
    makeFolders(dirname(full));
    replaceFile(full, content);
  }
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
