/**
 * How the config cache (cli/config-cache.ts) records what a path import and a tsconfig.json
 * chain resolved through, so that an entry is not used once they resolve elsewhere.
 *
 * - A relative or absolute import (`./lib.js`) names a path; esbuild hands back the file's
 *   real path (symbolic links followed). A link on the way (`lib.ts -> v1.ts`, a folder
 *   `cur -> v1`, a chain of them) can be pointed elsewhere without changing any file the
 *   entry recorded: the cached module kept running `v1` (red team 6). So the path the
 *   import named — the candidate esbuild picked — is recorded with its real path, and a
 *   start checks `realpathSync` of it still gives that path.
 * - A tsconfig.json can `extends` others (`./tsconfig.base.json`, `@tsconfig/node20`), whose
 *   `paths`, `baseUrl` and emit options apply as its own: each file of the chain is an input
 *   too. An entry made from a chain this cannot follow is not made.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";

/** A path an import named and the real file it resolved to. */
export interface ResolvedLink {
  readonly path: string;
  readonly real: string;
}

/** esbuild's default resolve extensions, in its order. */
const EXTENSIONS = [".tsx", ".ts", ".jsx", ".js", ".css", ".json"];
/** TypeScript's `.js`-names-`.ts` convention, as esbuild applies it. */
const REWRITES: Readonly<Record<string, readonly string[]>> = { ".js": [".ts", ".tsx"], ".jsx": [".ts", ".tsx"], ".mjs": [".mts"], ".cjs": [".cts"] };

/** True for a specifier naming a path (`./x`, `../x`, `/x`), which resolves without any mapping. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === ".." || isAbsolute(specifier);
}

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The file a path import `specifier` from `resolveDir` named — the first candidate that
 * exists, in esbuild's order (as written, with an extension added, `.js` read as `.ts`,
 * a folder's index) — recorded with `real`, the path esbuild resolved it to.
 * @returns undefined when no candidate leads to `real` (a resolution this cannot repeat:
 *   the caller does not cache).
 */
export function resolvedLink(resolveDir: string, specifier: string, real: string): ResolvedLink | undefined {
  const base = resolve(resolveDir, specifier);
  const ext = extname(base);
  const stem = base.slice(0, base.length - ext.length);
  const candidates = [base, ...EXTENSIONS.map((e) => base + e), ...(REWRITES[ext] ?? []).map((e) => stem + e), ...EXTENSIONS.map((e) => join(base, `index${e}`))];
  const chosen = candidates.find(isFile);
  if (chosen === undefined) return undefined;
  try {
    return realpathSync(chosen) === real ? { path: chosen, real } : undefined;
  } catch {
    return undefined;
  }
}

/** True when every link still resolves to the file it did. Any error counts as a change. */
export function linksHold(links: readonly ResolvedLink[]): boolean {
  try {
    return links.every((l) => realpathSync(l.path) === l.real);
  } catch {
    return false;
  }
}

/**
 * JSON with comments and trailing commas (tsconfig.json's dialect) as JSON: comments
 * outside strings are blanked and a comma before `}` or `]` dropped. One pass, linear.
 */
export function jsoncToJson(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
      out += " ";
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}

/**
 * The files a tsconfig's `extends` names, resolved as TypeScript does: a path relative to
 * the tsconfig (`.json` added when missing), or a package's file found from its folder
 * (`@tsconfig/node20`, `pkg/tsconfig.json`). Bare names are returned too, so the caller
 * can record how their package was found.
 * @throws Error when the file is not JSON with comments, or an `extends` cannot be found.
 */
export function tsconfigExtends(path: string, text: string): { files: string[]; packages: string[] } {
  const parsed = JSON.parse(jsoncToJson(text)) as unknown;
  const ext = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as { extends?: unknown }).extends : undefined;
  const specs = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  const files: string[] = [];
  const packages: string[] = [];
  for (const spec of specs) {
    if (typeof spec !== "string" || spec === "") throw new Error(`${path}: "extends" is not a path`);
    if (isPathSpecifier(spec)) {
      const p = resolve(dirname(path), spec);
      const found = [p, `${p}.json`].find(isFile);
      if (!found) throw new Error(`${path}: cannot find ${spec}`);
      files.push(found);
    } else {
      const req = createRequire(path);
      let found: string | undefined;
      for (const s of [spec, `${spec}.json`, `${spec}/tsconfig.json`]) {
        try {
          found = req.resolve(s);
          break;
        } catch {
          // the next form
        }
      }
      if (!found || !existsSync(found)) throw new Error(`${path}: cannot find ${spec}`);
      files.push(found);
      packages.push(spec);
    }
  }
  return { files, packages };
}
