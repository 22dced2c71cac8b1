/**
 * What a cached config transpile (cli/config-cache.ts) was made from, recorded so that a
 * later start can tell — without transpiling again — whether the same transpile would
 * still come out. Every check is exact (text compared byte for byte, listings name for
 * name, package.json files by size and mtime); none is a hash standing for content.
 *
 * - `files`: the exact text of the config, of every local file bundled into it, and of the
 *   tsconfig.json that applies to each (esbuild reads the nearest one: `paths`, decorators
 *   and class-field semantics change the output);
 * - `dirs`: the names in each folder holding a bundled file, so a new `x.js` beside `x.ts`,
 *   or a new `dir/index.ts`, changes what an import resolves to and is noticed;
 * - `absent`: paths that must still not exist — a nearer tsconfig.json, a nearer
 *   `node_modules/<pkg>` or package.json than the one a bare import was resolved through;
 * - `stats`: the package.json through which each bare import (`ragraph/config`, `zod`) was
 *   resolved — a reinstall or upgrade rewrites it, and its "exports" decide the target.
 *
 * Left out on purpose: the imported packages' own code (it is imported from where it lies,
 * at run time, never copied into the cache).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** A file whose exact text an entry depends on. */
export interface InputFile {
  readonly path: string;
  readonly text: string;
}

/** Everything a cached transpile depends on (see the file comment). Plain JSON. */
export interface ConfigInputs {
  readonly files: readonly InputFile[];
  readonly dirs: readonly { readonly path: string; readonly names: readonly string[] }[];
  readonly absent: readonly string[];
  readonly stats: readonly { readonly path: string; readonly size: number; readonly mtimeMs: number }[];
}

/** `a/b/c` → [`a/b/c`, `a/b`, `a`, …, `/`]. */
function ancestors(dir: string): string[] {
  const out = [dir];
  for (let d = dir, up = dirname(d); up !== d; d = up, up = dirname(d)) out.push(up);
  return out;
}

/** `@scope/pkg/sub` → `@scope/pkg`; `pkg/sub` → `pkg`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

const listing = (dir: string): string[] => readdirSync(dir).sort();

/**
 * The record for a transpile of `sources` (the config first, then the local files bundled
 * into it) whose bare imports were `[importer, specifier]` pairs.
 * @throws the file system's error when a source's folder cannot be listed.
 */
export function recordInputs(sources: readonly InputFile[], bareImports: readonly (readonly [string, string, ...unknown[]])[]): ConfigInputs {
  const files: InputFile[] = [...sources];
  const dirs = new Map<string, string[]>();
  const absent = new Set<string>();
  const stats = new Map<string, { path: string; size: number; mtimeMs: number }>();
  const stat = (path: string) => {
    const st = statSync(path);
    stats.set(path, { path, size: st.size, mtimeMs: st.mtimeMs });
  };
  /** The first of `candidates` that exists: the ones before it are recorded absent; returns it. */
  const firstExisting = (candidates: string[]): string | undefined => {
    for (const c of candidates) {
      if (existsSync(c)) return c;
      absent.add(c);
    }
    return undefined;
  };
  const tsconfigs = new Set<string>();
  for (const { path } of sources) {
    const dir = dirname(path);
    if (!dirs.has(dir)) dirs.set(dir, listing(dir));
    const tsconfig = firstExisting(ancestors(dir).map((d) => join(d, "tsconfig.json")));
    if (tsconfig && !tsconfigs.has(tsconfig)) {
      tsconfigs.add(tsconfig);
      files.push({ path: tsconfig, text: readFileSync(tsconfig, "utf8") });
    }
  }
  for (const [importer, specifier] of bareImports) {
    const up = ancestors(dirname(importer));
    // Node tries the importer's own package first (a self-reference, as examples/ does
    // with `ragraph/config`), then node_modules/<name> from the importer's folder upward.
    const scope = firstExisting(up.map((d) => join(d, "package.json")));
    if (scope) stat(scope);
    const name = packageName(specifier);
    const found = firstExisting(up.map((d) => join(d, "node_modules", name)));
    if (found && existsSync(join(found, "package.json"))) stat(join(found, "package.json"));
  }
  return { files, dirs: [...dirs].map(([path, names]) => ({ path, names })), absent: [...absent], stats: [...stats.values()] };
}

/**
 * True when everything in `inputs` still holds, except the text of `files[0]` (the
 * config, which the caller has just read and compared). Any error reading counts as a
 * change.
 */
export function inputsHold(inputs: ConfigInputs): boolean {
  try {
    for (const f of inputs.files.slice(1)) if (readFileSync(f.path, "utf8") !== f.text) return false;
    for (const d of inputs.dirs) {
      const now = listing(d.path);
      if (now.length !== d.names.length || now.some((n, i) => n !== d.names[i])) return false;
    }
    for (const p of inputs.absent) if (existsSync(p)) return false;
    for (const s of inputs.stats) {
      const st = statSync(s.path);
      if (st.size !== s.size || st.mtimeMs !== s.mtimeMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}
