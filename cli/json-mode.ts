/**
 * JSON mode, the same for every command (issue 14 §4): `--json` (or its alias
 * `--format json`) makes a command print JSON on stdout — its result, and also its
 * failure: a usage, config, compile or input error is `{"error": {"code", "message",
 * "diagnostics"?}}` on stdout (one line), with the usual exit status, never human text.
 * A file that does not compile is reported through cli/compile-failure.ts by every
 * command; the shapes of each command are listed in docs/cli.md.
 */
import type { CliError } from "./errors.js";

/** Whether a command line asks for JSON output (`--json`, `--format json`, `--format=json`). */
export function wantsJson(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a === "--json" || a === "--format=json" || (a === "--format" && argv[i + 1] === "json")) return true;
  }
  return false;
}

/** A failure as one JSON line for stdout. */
export function errorJson(code: string, message: string, diagnostics?: readonly unknown[]): string {
  return JSON.stringify({ error: { code, message, ...(diagnostics ? { diagnostics } : {}) } }) + "\n";
}

/** `e` as one JSON line. */
export function cliErrorJson(e: CliError): string {
  return errorJson(e.code, e.message || (e.diagnostics?.length ? "the file has errors" : "failed"), e.diagnostics);
}
