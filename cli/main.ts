/**
 * `rag`: the command-line interface (commander). Commands are loaded on demand to keep
 * startup short. Exit status: 0 success; 1 a check
 * with errors or a failed run; 2 a usage, config or compile error.
 */
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.js";

export function buildProgram(): Command {
  const program = new Command("rag")
    .description("ragraph: compile, check and run declarative LLM agent workflows (.rag files)")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run `rag --help` for usage)");
  program
    .command("check")
    .description("report diagnostics for .rag files (exit 1 on errors)")
    .argument("<files...>", ".rag files")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside each file)")
    .option("--registry <file.json>", "check against a JSON snapshot of registry names instead of a config")
    .option("--format <format>", "human or json", "human")
    .action(async (files: string[], opts) => {
      const { checkCommand } = await import("./commands/check.js");
      process.exitCode = await checkCommand(files, opts);
    });
  program
    .command("compile")
    .description("print the Blueprint IR of a graph as JSON, with its content hash")
    .argument("<file>", ".rag file")
    .option("--graph <name>", "graph to compile (default: the first of the file)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file)")
    .action(async (file: string, opts) => {
      const { compileCommand } = await import("./commands/compile.js");
      process.exitCode = await compileCommand(file, opts);
    });
  program
    .command("run")
    .description("run a graph, showing progress per superstep")
    .argument("<file>", ".rag file")
    .option("--input <json>", "run input as JSON, or @file.json")
    .option("--graph <name>", "graph to run (default: the first of the file)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file)")
    .option("--json", "print events as JSON Lines instead of progress")
    .action(async (file: string, opts) => {
      const { runCommand } = await import("./commands/run.js");
      process.exitCode = await runCommand(file, opts);
    });
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
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\nThis is a bug in ragraph; please report it.\n`);
    return 70;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
