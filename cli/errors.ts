/**
 * CLI failures with their exit status: 1 a failed check or run, 2 a usage, config or
 * compile error. Messages are for people; no stack traces for user mistakes.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}
