/**
 * Every `rag` command, in help order. A command module exports `register(program)`,
 * which declares its arguments and loads its implementation lazily (startup stays short).
 */
import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

const check: RegisterCommand = (program) =>
  program
    .command("check")
    .description("report diagnostics for .rag files (exit 1 on errors)")
    .argument("<files...>", ".rag files")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside each file)")
    .option("--registry <file.json>", "check against a JSON snapshot of registry names instead of a config")
    .option("--format <format>", "human or json", "human")
    .action(async (files: string[], opts) => {
      const { checkCommand } = await import("./check.js");
      process.exitCode = await checkCommand(files, opts);
    });

const compile: RegisterCommand = (program) =>
  program
    .command("compile")
    .description("print the Blueprint IR of a graph as JSON, with its content hash")
    .argument("<file>", ".rag file")
    .option("--graph <name>", "graph to compile (default: the first of the file)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file)")
    .action(async (file: string, opts) => {
      const { compileCommand } = await import("./compile.js");
      process.exitCode = await compileCommand(file, opts);
    });

const run: RegisterCommand = (program) =>
  program
    .command("run")
    .description("run a graph, showing progress per superstep")
    .argument("<file>", ".rag file")
    .option("--input <json>", "run input as JSON, or @file.json")
    .option("--graph <name>", "graph to run (default: the first of the file)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file)")
    .option("--json", "print events as JSON Lines instead of progress")
    .action(async (file: string, opts) => {
      const { runCommand } = await import("./run.js");
      process.exitCode = await runCommand(file, opts);
    });

const fmt: RegisterCommand = (program) =>
  program
    .command("fmt")
    .description("format .rag files canonically (comments kept, blueprint hash unchanged)")
    .argument("<files...>", ".rag files or directories")
    .option("--check", "list files that would change; exit 1 if any")
    .option("--write", "rewrite files in place")
    .action(async (files: string[], opts) => {
      const { fmtCommand } = await import("./fmt.js");
      process.exitCode = await fmtCommand(files, opts);
    });

const graph: RegisterCommand = (program) =>
  program
    .command("graph")
    .description("draw a graph: routes, sends, joins and subgraphs (Mermaid, Graphviz DOT, SVG or JSON)")
    .argument("<file>", ".rag file")
    .option("--format <format>", "mermaid, dot, svg or json", "mermaid")
    .option("--graph <name>", "graph to draw (default: the first of the file)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file)")
    .action(async (file: string, opts) => {
      const { graphCommand } = await import("./graph.js");
      process.exitCode = await graphCommand(file, opts);
    });

const diff: RegisterCommand = (program) =>
  program
    .command("diff")
    .description("semantic diff of two blueprints (exit 1 when they differ)")
    .argument("<a>", ".rag file or Blueprint JSON (before)")
    .argument("<b>", ".rag file or Blueprint JSON (after)")
    .option("--format <format>", "human or json", "human")
    .option("--graph <name>", "graph to compare in both files (default: the first of each)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside each file)")
    .action(async (a: string, b: string, opts) => {
      const { diffCommand } = await import("./diff.js");
      process.exitCode = await diffCommand(a, b, opts);
    });

const spec: RegisterCommand = (program) =>
  program
    .command("spec")
    .description("print the LLM grammar card: a compact .rag reference for prompts")
    .option("--tokens", "print the card's estimated size in tokens instead")
    .action(async (opts) => {
      const { specCommand } = await import("./spec.js");
      process.exitCode = await specCommand(opts);
    });

export const COMMANDS: readonly RegisterCommand[] = [check, compile, run, fmt, graph, diff, spec];
