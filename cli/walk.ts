/**
 * The one file walker of commands that take `.rag` files (`rag check`, `rag fmt`): each
 * argument is a file, a directory (searched recursively for `*.rag`, skipping
 * `node_modules` and dot-folders, sorted), or a quoted glob (`'examples/**\/*.rag'`:
 * `*` and `?` within a name, `**` across folders), for shells that do not expand it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join, sep } from "node:path";
import { CliError } from "./errors.js";

const GLOB = /[*?]/;

/**
 * The files `paths` name, in order, without duplicates. `-` (standard input) passes through.
 * @throws CliError (exit 2) for a path that does not exist, a glob that matches nothing,
 *   a directory holding no `ext` file, or a `.ragsh` script named where `.rag` files go.
 */
export function expandPaths(paths: readonly string[], ext = ".rag"): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      out.push(f);
    }
  };
  for (const p of paths) {
    if (p === "-") add(p);
    else if (GLOB.test(p)) {
      const matches = globFiles(p);
      if (!matches.length) throw new CliError(`no file matches ${p}`, 2, { code: "io" });
      matches.forEach(add);
    } else {
      let st;
      try {
        st = statSync(p);
      } catch {
        throw new CliError(`cannot read ${p}: no such file or directory${missingExtensionHint(p)}`, 2, { code: "io" });
      }
      if (st.isDirectory()) {
        // Like a glob that matches nothing: `rag check wrong-folder/` must not pass as "ok: 0 files".
        const found = walk(p, ext);
        if (!found.length) throw new CliError(`no ${ext} file in ${p}`, 2, { code: "io" });
        found.forEach(add);
      } else if (ext === ".rag" && /\.ragsh$/i.test(p)) {
        // Parsed as a graph, a script is a screen of "expected `graph`" errors.
        throw new CliError(`${p} is a .ragsh script, not a .rag graph: run it with \`rag repl ${p}\``, 2, { code: "usage" });
      } else add(p);
    }
  }
  return out;
}

/** The `ext` files under `dir`, sorted, recursively. */
function walk(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((d) => {
      const p = join(dir, d.name);
      if (d.isDirectory()) return d.name === "node_modules" || d.name.startsWith(".") ? [] : walk(p, ext);
      return d.isFile() && d.name.endsWith(ext) ? [p] : [];
    });
}

/** Files matching `pattern` (relative to the working directory, or absolute), sorted. */
function globFiles(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/);
  const fixed: string[] = [];
  while (parts.length > 1 && !GLOB.test(parts[0]!)) fixed.push(parts.shift()!);
  const base = fixed.length ? (fixed.join(sep) || sep) : ".";
  const body = parts.map((p, i) => (p === "**" && i === parts.length - 1 ? ".*" : segment(p))).join("/");
  const re = new RegExp(`^${body.replace(/\(\?:\.\*\/\)\?\//g, "(?:.*/)?")}$`);
  const out: string[] = [];
  const visit = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of entries) {
      if (d.name === "node_modules" || d.name.startsWith(".")) continue;
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) visit(join(dir, d.name), r);
      else if (d.isFile() && re.test(r)) out.push(fixed.length ? join(base, ...r.split("/")) : join(...r.split("/")));
    }
  };
  visit(base, "");
  return out.sort();
}

/** One path segment of a glob as a regular expression: `**` any folders, `*` any name part, `?` one character. */
function segment(s: string): string {
  if (s === "**") return "(?:.*/)?";
  return s.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
}

/** `; did you mean flow.rag?` for a missing `flow` beside which `flow.rag` (or `.ragsh`) exists, else "". */
export function missingExtensionHint(file: string): string {
  if (extname(file) !== "" || existsSync(file)) return "";
  const found = [".rag", ".ragsh"].find((ext) => existsSync(file + ext));
  return found === undefined ? "" : `; did you mean ${file}${found}?`;
}
