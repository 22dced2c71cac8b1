/** The file tree pane: the workspace's folder (name), its files by folder (tree.ts), and the config in use. */
import type { WorkspaceInfo } from "./boot.js";
import { h } from "./dom.js";
import { fileTree, type TreeDir } from "./tree.js";

/** Draws `info`'s files into `root`; clicking a file row calls `open` with its path. */
export function drawFiles(root: HTMLElement, info: WorkspaceInfo, open: (path: string) => void): void {
  root.replaceChildren(
    h("div", { class: "dim", title: info.workspace }, info.workspace.split("/").pop() ?? info.workspace),
    ...drawTree(fileTree(info.files), 0, open),
    h("div", { class: "dim small" }, info.config ? `config: ${info.config.split("/").pop()}` : "no rag.config.ts: standard registry"),
  );
}

/**
 * A folder's contents as tree rows: sub-folders first, each a `<details>` that opens and
 * closes (open at start), then its files; a file row opens the file.
 */
function drawTree(dir: TreeDir, depth: number, open: (path: string) => void): HTMLElement[] {
  const pad = { style: `padding-left: ${12 + depth * 14}px` };
  const folders = dir.dirs.map((d) => h("details", { class: "folder", "data-dir": d.path, open: "" }, h("summary", pad, d.name), ...drawTree(d, depth + 1, open)));
  const leaves = dir.files.map((f) => {
    const a = h("div", { class: `file ${f.kind}`, "data-path": f.path, title: f.path, ...pad }, f.name);
    a.addEventListener("click", () => open(f.path));
    return a;
  });
  return [...folders, ...leaves];
}
