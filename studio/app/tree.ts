/**
 * The workspace file list as a folder tree, as data (no DOM): tree-view.ts draws it with
 * collapsible folders. Paths are the server's (`GET /api/info`, `/`-separated, relative
 * to the workspace).
 */

/** A workspace file as `GET /api/info` lists it. */
export interface TreeFile {
  readonly path: string;
  readonly kind: string;
}

/** A folder: its sub-folders (by name) and its files, each sorted by name, folders first when drawn. */
export interface TreeDir {
  /** The folder's path from the workspace root (`""` for the root). */
  readonly path: string;
  readonly name: string;
  readonly dirs: TreeDir[];
  readonly files: (TreeFile & { readonly name: string })[];
}

/** Groups `files` under their folders. Empty path segments (`a//b`) are ignored. */
export function fileTree(files: readonly TreeFile[]): TreeDir {
  const root: TreeDir = { path: "", name: "", dirs: [], files: [] };
  for (const f of files) {
    const parts = f.path.split("/").filter((p) => p !== "");
    const name = parts.pop();
    if (name === undefined) continue;
    let dir = root;
    for (const part of parts) {
      let next = dir.dirs.find((d) => d.name === part);
      if (!next) {
        next = { path: dir.path ? `${dir.path}/${part}` : part, name: part, dirs: [], files: [] };
        dir.dirs.push(next);
      }
      dir = next;
    }
    dir.files.push({ ...f, name });
  }
  const sort = (d: TreeDir): void => {
    d.dirs.sort((a, b) => a.name.localeCompare(b.name));
    d.files.sort((a, b) => a.name.localeCompare(b.name));
    d.dirs.forEach(sort);
  };
  sort(root);
  return root;
}
