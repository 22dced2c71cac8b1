/**
 * The `rag` program (commander) and `main(argv)`, apart from the process entry point
 * (cli/main.ts) so tests and embedders can run a command in-process. Commands are
 * loaded on demand to keep startup short: this module imports commander and nothing of the
 * compiler (`rag --version` and `rag --help` load no grammar); the commands that hash
 * blueprints install Node's SHA-256 through cli/files.ts. Exit status: 0 success; 1 a check with errors
 * or a failed run; 2 a usage, config, compile or checkpoint-store error; 3 a paused run; 70 a bug.
 */
import { Command, CommanderError } from "commander";
import { COMMANDS } from "./commands/index.js";
import { CliError } from "./errors.js";
import { CheckpointError } from "../runtime/errors.js";
import { cliErrorJson, errorJson, wantsJson } from "./json-mode.js";
import { VERSION } from "./version.js";
import { printable } from "../stdlib/printable.js";


/**
 * A fresh commander program with every command registered. `onError`, when given,
 * receives commander's usage messages instead of stderr (JSON mode).
 */
export function buildProgram(onError?: (message: string) => void): Command {
  const program = new Command("rag")
    .description("ragraph: compile, check and run declarative LLM agent workflows (.rag files)")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError("(run `rag --help` for usage)");
  if (onError) program.configureOutput({ outputError: (message) => onError(message), writeErr: () => {} });
  for (const register of COMMANDS) register(program);
  return program;
}

/**
 * Runs one `rag` command line (`argv` without `node` and the script) and resolves with
 * its exit status. Output goes to process.stdout/stderr; paths are relative to
 * `process.cwd()`. Never throws: a user mistake is reported on stderr with status 2, a
 * bug with its stack and status 70. In JSON mode (cli/json-mode.ts) either is instead one
 * `{"error": …}` line on stdout (a bug's stack still goes to stderr, for the report).
 */
export async function main(argv: readonly string[]): Promise<number> {
  const json = wantsJson(argv);
  const usage: string[] = [];
  const program = buildProgram(json ? (m) => usage.push(m) : undefined);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      if (json) process.stdout.write(errorJson("usage", (usage[0] ?? e.message).replace(/^error: /, "").trim()));
      return 2;
    }
    if (e instanceof CliError) {
      if (json) process.stdout.write(cliErrorJson(e));
      else if (e.message) process.stderr.write(`${e.tagged ? `error[${e.code}]` : "error"}: ${printable(e.message)}\n`); // an empty message: already reported (diagnostics)
      return e.exitCode;
    }
    // The checkpoint store is unreachable, refused or broken (a Postgres URL that does not
    // answer, a locked thread, a damaged SQLite file): the user's environment, not a bug.
    // Exit 2 like a config error, with the error's stable code; no stack trace.
    if (e instanceof CheckpointError) {
      if (json) process.stdout.write(errorJson(e.code, e.message));
      else process.stderr.write(`error[${e.code}]: ${printable(e.message)}\n`);
      return 2;
    }
    // A bug: in JSON mode stdout still gets its one {error} document; the stack goes to stderr for the report.
    if (json) process.stdout.write(errorJson("internal", `${e instanceof Error ? e.message : String(e)} (a bug in ragraph; please report it)`));
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nThis is a bug in ragraph; please report it.\n`);
    return 70;
  }
}
