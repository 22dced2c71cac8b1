/**
 * `rag`: the command-line interface (commander). Commands are loaded on demand to keep
 * startup short. Exit status: 0 success; 1 a check
 * with errors or a failed run; 2 a usage, config or compile error.
 */
import { Command, CommanderError } from "commander";
import "../stdlib/node-sha256.js";
import { COMMANDS } from "./commands/index.js";
import { CliError } from "./errors.js";
import { printable } from "./printable.js";

export function buildProgram(): Command {
  const program = new Command("rag")
    .description("ragraph: compile, check and run declarative LLM agent workflows (.rag files)")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run `rag --help` for usage)");
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return 2;
    }
    if (e instanceof CliError) {
      if (e.message) process.stderr.write(`error: ${printable(e.message)}\n`); // an empty message: already reported (diagnostics)
      return e.exitCode;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nThis is a bug in ragraph; please report it.\n`);
    return 70;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
