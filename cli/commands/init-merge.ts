/**
 * `rag init` in a folder that already has a `package.json` (`npm init -y && npm install
 * ragraph && npx rag init`) or a `.gitignore`: the scaffold's entries are merged into
 * them instead of the folder being refused. What the user wrote wins: an existing
 * dependency, devDependency or script is kept (npm's placeholder `test` script, which
 * only fails, is replaced). The scaffold is ES modules, so `"type"` becomes `"module"` —
 * unless the folder holds JavaScript files that the change would turn from CommonJS into
 * ES modules, which is refused.
 */
import { readdirSync } from "node:fs";
import { CliError } from "../errors.js";

/** npm's `test` script of `npm init -y`: a placeholder that only fails. */
const NPM_PLACEHOLDER_TEST = /^echo "Error: no test specified" && exit 1$/;

/** The merged package.json text and one note per entry kept or changed, for the summary. */
export interface MergedPackage {
  readonly text: string;
  readonly notes: readonly string[];
}

/**
 * Merges the scaffold's package.json (`scaffold`, JSON text) into the folder's
 * (`existing`, the text of `shown`, a path for messages); `dir` is the folder, read for
 * `.js` files when `"type"` must change.
 *
 * @throws CliError when `existing` is not a JSON object, is ragraph's own package.json, or
 *   `"type"` would change under `.js` files (nothing written then).
 */
export function mergePackageJson(existing: string, scaffold: string, shown: string, dir: string): MergedPackage {
  let pkg: unknown;
  try {
    pkg = JSON.parse(existing);
  } catch (e) {
    throw new CliError(`rag init: ${shown} is not valid JSON (${(e as Error).message}); nothing written`);
  }
  if (!pkg || typeof pkg !== "object" || Array.isArray(pkg)) throw new CliError(`rag init: ${shown} is not a JSON object; nothing written`);
  const out = pkg as Record<string, unknown>;
  // `rag init` run inside the ragraph checkout (or its installed package) would make
  // ragraph depend on itself, which npm refuses ("can't install a package into itself").
  if (out.name === "ragraph") throw new CliError(`rag init: ${shown} is ragraph's own package.json; a project goes in a folder of its own: rag init my-project; nothing written`);
  const add = JSON.parse(scaffold) as { type: string; scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>; allowScripts: Record<string, boolean> };
  const notes: string[] = [];
  if (out.type !== add.type) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      // A folder that can be entered but not listed (no read permission): one line, as for the files.
      throw new CliError(`rag init: cannot list the folder of ${shown}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; nothing written`);
    }
    const js = names.filter((f) => f.endsWith(".js"));
    if (js.length) {
      throw new CliError(`rag init: ${shown} does not say "type": "module" and the folder has JavaScript files (${js.slice(0, 3).join(", ")}${js.length > 3 ? ", …" : ""}) that setting it would turn into ES modules; the scaffold is ES modules — set "type": "module" yourself, or run rag init in a new folder; nothing written`);
    }
    out.type = add.type;
    notes.push(`"type": "module" (the scaffold is ES modules)`);
  }
  for (const section of ["dependencies", "devDependencies", "scripts", "allowScripts"] as const) {
    const current = out[section];
    const into: Record<string, unknown> = current && typeof current === "object" && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
    for (const [name, value] of Object.entries(add[section])) {
      // A package the folder already lists in the other dependency section stays where it is.
      if ((section === "dependencies" || section === "devDependencies") && listed(out[section === "dependencies" ? "devDependencies" : "dependencies"], name)) continue;
      const had = into[name];
      if (had === undefined || (section === "scripts" && name === "test" && typeof had === "string" && NPM_PLACEHOLDER_TEST.test(had))) {
        // Defined, not assigned: a key named `__proto__` in the user's file stays data.
        Object.defineProperty(into, name, { value, enumerable: true, writable: true, configurable: true });
        notes.push(`${section}.${name}`);
      }
    }
    out[section] = into;
  }
  const indent = /^[ \t]*\{\s*\n([ \t]+)"/.exec(existing)?.[1] ?? "  ";
  return { text: JSON.stringify(out, null, indent) + "\n", notes };
}

/** Whether `section` (a package.json dependency map, or anything else) has an entry `name`. */
function listed(section: unknown, name: string): boolean {
  return !!section && typeof section === "object" && !Array.isArray(section) && Object.prototype.hasOwnProperty.call(section, name);
}

/** `existing` .gitignore text with the scaffold's lines it lacks appended (undefined when none is missing). */
export function mergeGitignore(existing: string, scaffold: string): string | undefined {
  // `node_modules` and `node_modules/` ignore the same folder here
  const key = (l: string) => l.trim().replace(/\/$/, "");
  const have = new Set(existing.split(/\r?\n/).map(key));
  const missing = scaffold.split("\n").filter((l) => l.trim() && !have.has(key(l)));
  if (!missing.length) return undefined;
  return `${existing}${existing === "" || existing.endsWith("\n") ? "" : "\n"}${missing.join("\n")}\n`;
}
