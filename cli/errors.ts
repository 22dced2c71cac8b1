/**
 * CLI failures with their exit status: 1 a failed check or run, 2 a usage, config or
 * compile error. Messages are for people; no stack traces for user mistakes. In JSON
 * mode (`--json`, `--format json`) `main` prints them as `{"error": {code, message,
 * diagnostics?}}` on stdout instead (cli/json-mode.ts).
 */
export class CliError extends Error {
  /** Stable kind of failure: `usage`, `config`, `compile`, `invalid_input`, `run`, … */
  readonly code: string;
  /** Diagnostics as `rag check --json` prints them, for a compile error. */
  readonly diagnostics: readonly unknown[] | undefined;
  /** Print as `error[code]: message` (an error of the runtime, whose code users look up) rather than `error: message`. */
  readonly tagged: boolean;
  constructor(
    message: string,
    readonly exitCode: number = 2,
    extra: { readonly code?: string; readonly diagnostics?: readonly unknown[]; readonly tagged?: boolean } = {},
  ) {
    super(message);
    this.name = "CliError";
    this.code = extra.code ?? (exitCode === 2 ? "usage" : "failed");
    this.diagnostics = extra.diagnostics;
    this.tagged = extra.tagged ?? false;
  }
}
