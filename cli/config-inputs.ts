/**
 * What a cached config transpile (cli/config-cache.ts) was made from, recorded so that a
 * later start can tell — without transpiling again — whether the same transpile would
 * still come out. Every check is exact (text compared byte for byte, listings name for
 * name, package.json files by size and mtime); none is a hash standing for content.
 *
 * - `files`: the exact text of the config, of every local file bundled into it, and of the
 *   tsconfig.json (or jsconfig.json) that applies to each (esbuild reads the nearest one:
 *   `paths`, decorators and class-field semantics change the output) with every file its
 *   `extends` chain names (cli/config-links.ts);
 * - `dirs`: the names in each folder holding a bundled file, so a new `x.js` beside `x.ts`,
 *   or a new `dir/index.ts`, changes what an import resolves to and is noticed;
 * - `absent`: paths that must still not exist — a nearer tsconfig.json, a nearer
 *   `node_modules/<pkg>` or package.json than the one a bare import was resolved through;
 * - `stats`: the package.json through which each bare import (`ragraph/config`, `zod`) was
 *   resolved — a reinstall or upgrade rewrites it, and its "exports" decide the target;
 * - `links`: the path each relative import named and the real file it led to, so a symbolic
 *   link on the way pointed elsewhere is noticed (cli/config-links.ts).
 *
 * Left out on purpose: the imported packages' own code (it is imported from where it lies,
 * at run time, never copied into the cache).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { linksHold, tsconfigExtends, type ResolvedLink } from "./config-links.js";

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
  readonly links: readonly ResolvedLink[];
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
 * into it) whose bare imports were `[importer, specifier]` pairs and whose path imports
 * resolved through `links`.
 * @throws the file system's error when a source's folder cannot be listed, or Error when a
 *   tsconfig's `extends` chain cannot be followed (the caller then does not cache).
 */
export function recordInputs(sources: readonly InputFile[], bareImports: readonly (readonly [string, string, ...unknown[]])[], links: readonly ResolvedLink[] = []): ConfigInputs {
  const files: InputFile[] = [...sources];
  const bare: (readonly [string, string, ...unknown[]])[] = [...bareImports];
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
  /** A tsconfig and, in turn, every file its `extends` names (at most 32 files in all). */
  const addTsconfig = (tsconfig: string) => {
    const pending = [tsconfig];
    for (let p = pending.pop(); p !== undefined; p = pending.pop()) {
      if (tsconfigs.has(p)) continue;
      if (tsconfigs.size >= 32) throw new Error("tsconfig extends chain too long");
      tsconfigs.add(p);
      const text = readFileSync(p, "utf8");
      files.push({ path: p, text });
      const next = tsconfigExtends(p, text);
      pending.push(...next.files);
      for (const spec of next.packages) bare.push([p, spec]);
    }
  };
  for (const { path } of sources) {
    const dir = dirname(path);
    if (!dirs.has(dir)) dirs.set(dir, listing(dir));
    const tsconfig = firstExisting(ancestors(dir).flatMap((d) => [join(d, "tsconfig.json"), join(d, "jsconfig.json")]));
    if (tsconfig) addTsconfig(tsconfig);
  }
  // The folder each path import named a file in: a new candidate there changes what it names.
  for (const { path } of links) {
    const dir = dirname(path);
    if (!dirs.has(dir)) dirs.set(dir, listing(dir));
  }
  for (const [importer, specifier] of bare) {
    const up = ancestors(dirname(importer));
    // Node tries the importer's own package first (a self-reference, as examples/ does
    // with `ragraph/config`), then node_modules/<name> from the importer's folder upward.
    const scope = firstExisting(up.map((d) => join(d, "package.json")));
    if (scope) stat(scope);
    const name = packageName(specifier);
    const found = firstExisting(up.map((d) => join(d, "node_modules", name)));
    if (found && existsSync(join(found, "package.json"))) stat(join(found, "package.json"));
  }
  return { files, dirs: [...dirs].map(([path, names]) => ({ path, names })), absent: [...absent], stats: [...stats.values()], links: [...links] };
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
    return Array.isArray(inputs.links) && linksHold(inputs.links);
  } catch {
    return false;
  }
}
