/**
 * The hint for a config that imports `ragraph` (or `ragraph/config`, what `rag init` and
 * the examples import) from a folder where it is not installed — a config copied out of
 * its project, say. One text for `rag run` (cli/files.ts) and `rag serve|studio`
 * (config.ts); free of imports, so the CLI's every-command path stays light.
 */

/**
 * ` (ragraph is not installed where the config lives: …)` when `firstLine` (the first line
 * of an import error's message) is Node's "Cannot find module|package 'ragraph…'", else "".
 */
export function missingRagraphHint(firstLine: string): string {
  return /Cannot find (module|package) 'ragraph(\/[^']*)?'/.test(firstLine) ? " (ragraph is not installed where the config lives: `npm install ragraph` there, or `npm install /path/to/ragraph` for a checkout)" : "";
}
