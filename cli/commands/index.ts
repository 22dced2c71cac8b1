/**
 * Every `rag` command, in help order. A command module exports `register(program)`,
 * which declares its arguments and loads its implementation lazily (startup stays short).
 */
import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

/** `--config` of the commands that load a thread's recorded graph (cli/commands/thread-graph.ts). */
const RECORDED_CONFIG = "rag.config.ts (default: the one the thread was started with, when it lies inside the working directory or the checkpoint file does; with --file: beside that file)";

const check: RegisterCommand = (program) =>
  program
    .command("check")
    .description("report diagnostics for .rag files (exit 1 on errors)")
    .argument("[files...]", ".rag files, directories or quoted globs ('src/**/*.rag') (default: the working directory)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside each file)")
    .option("--registry <file.json>", "check against a registry snapshot (`rag registry export`: names and shapes) instead of a config")
    .option("--json", "print diagnostics as JSON (errors too)")
    .option("--format <format>", "human or json (json: the same as --json)", "human")
    .option("--fix", "apply the machine fixes, write the files back and report each edit")
    .option("--provenance <who[:author]>", "who generated the files (e.g. model:gpt-4o-mini), when they have no `// rag:generated-by` pragma")
    .action(async (files: string[], opts) => {
      const { checkCommand } = await import("./check.js");
      process.exitCode = await checkCommand(files.length ? files : ["."], opts);
    });

const compile: RegisterCommand = (program) =>
  program
    .command("compile")
    .description("print the Blueprint IR of a graph as JSON, with its content hash")
    .argument("<file>", ".rag file")
    .option("--graph <name>", "graph to compile (default: the first of the file)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file)")
    .option("--json", "print {blueprint, diagnostics} as JSON; errors as {error} JSON")
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
    .option("--thread <id>", "thread to run on (default: a new id, printed)")
    .option("--checkpoints <path>", "SQLite checkpoint file, or postgres://… (shared store) (default: .rag/checkpoints.db in the working directory)")
    .option("--no-checkpoints", "keep no checkpoints (the run cannot pause or be resumed)")
    .option("--durability <mode>", "when checkpoints are saved: sync, async or exit (default: the graph's, else sync)")
    .option("--record <cassette.json>", "record every model request and reply into a cassette file")
    .option("--replay <cassette.json>", "answer model calls from a recorded cassette (no network, no API keys)")
    .option("--queue <redis-url>", "enqueue the run for `rag worker`s (redis://host:port[?queue=NAME&prefix=P]) and follow its events; needs --checkpoints postgres://…")
    .action(async (file: string, opts) => {
      const { runCommand } = await import("./run.js");
      process.exitCode = await runCommand(file, opts);
    });

const fmt: RegisterCommand = (program) =>
  program
    .command("fmt")
    .description("format .rag files canonically (comments kept, blueprint hash unchanged)")
    .argument("[files...]", ".rag files, directories or quoted globs, or - for standard input (default: the working directory)")
    .option("--check", "list files that would change; exit 1 if any")
    .option("--write", "rewrite files in place")
    .option("--json", "report each file as JSON (with the formatted text unless --check or --write)")
    .action(async (files: string[], opts) => {
      const { fmtCommand } = await import("./fmt.js");
      process.exitCode = await fmtCommand(files.length ? files : ["."], opts);
    });

const graph: RegisterCommand = (program) =>
  program
    .command("graph")
    .description("draw a graph: routes, sends, joins and subgraphs (Mermaid, Graphviz DOT, SVG or JSON)")
    .argument("<file>", ".rag file")
    .option("--format <format>", "mermaid, dot, svg or json (default: mermaid)")
    .option("--json", "print the graph as JSON (the same as --format json); errors as {error} JSON")
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
    .option("--json", "print the diff as JSON")
    .option("--format <format>", "human or json (json: the same as --json)", "human")
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
    .option("--config <path>", "add \"What you may use\": the names and signatures of this config's registry")
    .option("--registry <file.json>", "add \"What you may use\" from a registry snapshot (`rag registry export`)")
    .option("--json", "print {card, tokens, budget} as JSON")
    .action(async (opts) => {
      const { specCommand } = await import("./spec.js");
      process.exitCode = await specCommand(opts);
    });

const resume: RegisterCommand = (program) =>
  program
    .command("resume")
    .description("continue a paused, cancelled or failed thread from its last checkpoint (exit 3 if it pauses again; an already completed thread is left as it is, exit 0)")
    .argument("<thread>", "thread id (printed by `rag run`; `rag runs` lists them)")
    .option("--resume <json>", 'answer to the pending interrupt (JSON, e.g. \'"approve"\'), or {"<interrupt id>": answer, …} for several')
    .option("--checkpoints <path>", "SQLite checkpoint file, or postgres://… (shared store)", ".rag/checkpoints.db")
    .option("--json", "print events as JSON Lines instead of progress")
    .option("--allow-blueprint-change", "resume even though the graph changed since the checkpoint")
    .option("--file <file>", "the .rag file to resume with (default: the one the thread was started with)")
    .option("--graph <name>", "graph of --file")
    .option("--config <path>", RECORDED_CONFIG)
    .option("--durability <mode>", "sync, async or exit")
    .option("--steer <text>", "steering instructions for the resumed run (recorded in the checkpoint metadata, apart from resume values)")
    .option("--queue <redis-url>", "enqueue the continuation for `rag worker`s and follow its events; needs --checkpoints postgres://…")
    .action(async (thread: string, opts) => {
      const { resumeCommand } = await import("./resume.js");
      process.exitCode = await resumeCommand(thread, opts);
    });

/**
 * Throws the usage error for `rag runs WORD …` when WORD is no subcommand of `rag runs`,
 * with did-you-mean among `names` (the suggestion list is loaded only on this path).
 */
async function unknownRunsCommand(word: string, names: readonly string[]): Promise<never> {
  const [{ didYouMean }, { CliError }] = await Promise.all([import("../../grammar/suggest.js"), import("../errors.js")]);
  const near = didYouMean(word, names);
  throw new CliError(`unknown command 'runs ${word}'${near ? ` (did you mean \`rag runs ${near}\`?)` : ""}; \`rag runs\` takes ${names.join(", ")}`);
}

const runs: RegisterCommand = (program) => {
  const cmd = program
    .command("runs")
    .usage("[list] [--checkpoints <path>] [--json] | <command> [options]")
    .description("threads and their checkpoints (time travel): list (the default), show, state, fork, update");
  const checkpointsHelp = "SQLite checkpoint file, or postgres://… (shared store)";
  const file = (c: ReturnType<typeof cmd.command>) => c.option("--checkpoints <path>", checkpointsHelp, ".rag/checkpoints.db");
  // `rag runs --checkpoints X` is `rag runs list --checkpoints X` (list is the default), so
  // the parent's help shows the options it passes on; every subcommand takes --checkpoints.
  cmd.addHelpText("after", `\nOptions of \`rag runs\` (= \`rag runs list\`; every command takes --checkpoints):\n  --checkpoints <path>  ${checkpointsHelp} (default: ".rag/checkpoints.db")\n  --json                print JSON\n`);
  file(cmd.command("list", { isDefault: true }).description("threads, most recent first (the default command)"))
    .option("--json", "print JSON")
    // A misspelt subcommand (`rag runs shwo T`) reaches the default command as arguments:
    // name it, instead of commander's "too many arguments for 'list'".
    .allowExcessArguments(true)
    .action(async (opts, command: Command) => {
      if (command.args.length) await unknownRunsCommand(command.args[0]!, cmd.commands.map((c) => c.name()));
      const { listRuns } = await import("./runs.js");
      process.exitCode = await listRuns(opts);
    });
  const graphOf = (c: ReturnType<typeof cmd.command>) =>
    c
      .option("--file <file>", "the .rag file (default: the one the thread was started with)")
      .option("--graph <name>", "graph of --file")
      .option("--config <path>", RECORDED_CONFIG);
  const ns = "a child run (subgraph node): its namespace (2.0:review) or a node path (review, outer|inner)";
  graphOf(file(cmd.command("show").description("a thread's checkpoints: step, source, next tasks, changed channels").argument("<thread>")))
    .option("--namespace <ns>", `show ${ns} instead`)
    .option("--subgraphs", "show each pending task's child run (nested) under the latest checkpoint")
    .option("--json", "print JSON")
    .action(async (thread: string, opts) => {
      const { showRun } = await import("./runs.js");
      process.exitCode = await showRun(thread, opts);
    });
  graphOf(file(cmd.command("state").description("the state at a checkpoint (default: the latest), as JSON").argument("<thread>").argument("[checkpoint]")))
    .option("--namespace <ns>", `the state of ${ns} (CHECKPOINT is then one of its checkpoints)`)
    .option("--subgraphs", "nest the state of each pending task's child run (`subgraphs`, by task id)")
    .option("--json", "accepted for uniformity: the state is JSON anyway; errors as {error} JSON")
    .action(async (thread: string, checkpoint: string | undefined, opts) => {
      const { showState } = await import("./runs.js");
      process.exitCode = await showState(thread, checkpoint, opts);
    });
  graphOf(file(cmd.command("fork").description("copy a checkpoint into a new thread (resume it to re-run from there); with --namespace, branch the thread at a child run's checkpoint").argument("<thread>").argument("<checkpoint>")))
    .option("--thread <id>", "id of the new thread (default: a new id)")
    .option("--namespace <ns>", `CHECKPOINT is one of ${ns}: the thread gets a new head that re-runs it from there (\`rag resume THREAD\` continues)`)
    .option("--allow-blueprint-change", "with --namespace: branch even though the graph changed since the checkpoint")
    .option("--json", "print JSON")
    .action(async (thread: string, checkpoint: string, opts) => {
      const { forkRun } = await import("./runs.js");
      process.exitCode = await forkRun(thread, checkpoint, opts);
    });
  file(cmd.command("update").description("write values into a thread through its reducers, as a new checkpoint (LangGraph's updateState)").argument("<thread>"))
    .requiredOption("--values <json>", "the values to write, a JSON object or @file.json")
    .option("--as-node <node>", "write as this node: its successors become the next tasks (END clears them)")
    .option("--checkpoint <id>", "edit this checkpoint instead of the latest (a fork inside the thread)")
    .option("--namespace <ns>", `edit ${ns} through its graph's reducers`)
    .option("--file <file>", "the .rag file (default: the one the thread was started with)")
    .option("--graph <name>", "graph of --file")
    .option("--config <path>", RECORDED_CONFIG)
    .option("--allow-blueprint-change", "update even though the graph changed since the checkpoint")
    .option("--json", "print JSON")
    .action(async (thread: string, opts) => {
      const { updateRun } = await import("./runs-update.js");
      process.exitCode = await updateRun(thread, opts);
    });
};

const approve: RegisterCommand = (program) =>
  program
    .command("approve")
    .description("review gate: show what a .rag file binds and approve its exact blueprint hash")
    .argument("<file>", ".rag file")
    .option("--graph <name>", "approve one graph (default: every graph of the file)")
    .option("--config <path>", "rag.config.ts naming the registry and its policy (default: rag.config.ts beside the file)")
    .option("--provenance <who[:author]>", "who generated the file, when it has no `// rag:generated-by` pragma")
    .option("--by <name>", "who approves (default: $USER)")
    .option("--note <text>", "a note kept with the approval")
    .option("--revoke", "withdraw the approval of the file's current version")
    .option("--json", "print the approvals as JSON")
    .action(async (file: string, opts) => {
      const { approveCommand } = await import("./approve.js");
      process.exitCode = await approveCommand(file, opts);
    });

const repl: RegisterCommand = (program) =>
  program
    .command("repl")
    .description("the .ragsh REPL: an interactive prompt, or run FILE.ragsh as a script")
    .argument("[file]", ".ragsh script to run (cells separated by `// %%` lines)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file or in the current directory)")
    .option("--context <text>", "the session's `context`: text, or @file to read it from a file")
    .option("--json", "print session and graph events as JSON Lines (scripts only)")
    .option("--history <file>", "prompt history file (default: .rag/repl_history of the project)")
    .option("--checkpoints <path>", "SQLite file or postgres://… URL for the checkpoints of graph runs (default: in memory)")
    .action(async (file: string | undefined, opts) => {
      const { replCommand } = await import("./repl.js");
      process.exitCode = await replCommand(file, opts);
    });

const lsp: RegisterCommand = (program) =>
  program
    .command("lsp")
    .description("language server over stdio (LSP): diagnostics, completion, hover, definitions, rename, formatting, code actions")
    .option("--stdio", "talk LSP on stdin/stdout (the default and only transport; accepted for editors that pass it)")
    .option("--config <path>", "rag.config.ts for every file (default: rag.config.ts beside each file)")
    .option("--registry <file.json>", "a JSON registry snapshot for every file instead of configs")
    .action(async (opts) => {
      const { runLspServer } = await import("../lsp/server.js");
      process.exitCode = await runLspServer(opts);
    });

const registry: RegisterCommand = (program) => {
  const cmd = program.command("registry").description("the registry of a config: export its names and shapes");
  cmd
    .command("export")
    .description("write the registry's names and signatures (tool schemas, agent/graph input and output, route labels) as JSON")
    .option("--config <path>", "rag.config.ts naming the registry (default: ./rag.config.ts)")
    .option("--out <file.json>", "write to this file instead of stdout")
    .option("--json", "the export is JSON anyway; with --out, print {out} as JSON; errors as {error} JSON")
    .action(async (opts) => {
      const { registryExportCommand } = await import("./registry.js");
      process.exitCode = await registryExportCommand(opts);
    });
};

const init: RegisterCommand = (program) =>
  program
    .command("init")
    .description("scaffold a runnable project: rag.config.ts (scripted provider), hello.rag, .env.example and a test")
    .argument("[dir]", "directory to create the project in (default: the current one)")
    .option("--ragraph <spec>", "the package.json spec for the ragraph dependency (default: ^VERSION, or file:CHECKOUT when run from a git checkout)")
    .option("--json", "print {dir, created, updated, next} as JSON; errors as {error} JSON")
    .action(async (dir: string | undefined, opts: { ragraph?: string; json?: boolean }) => {
      const { initCommand } = await import("./init.js");
      process.exitCode = await initCommand(dir, opts);
    });

const studio: RegisterCommand = (program) =>
  program
    .command("studio")
    .description("the studio in the browser: editor, live graph, runs, time travel, review and a .ragsh console")
    .argument("[dir]", "workspace folder (default: .)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts in DIR)")
    .option("--port <n>", "port (default: any free port)")
    .option("--host <host>", "interface to listen on (default 127.0.0.1)")
    .option("--no-open", "do not open a browser")
    .option("--checkpoints <path>", "SQLite checkpoint file, or postgres://… (shared store) (default: .rag/checkpoints.db in DIR)")
    .option("--queue <redis-url>", "enqueue runs for `rag worker`s and stream their events from Redis; needs --checkpoints postgres://…")
    .action(async (dir: string | undefined, opts) => {
      const { studioCommand } = await import("./studio.js");
      process.exitCode = await studioCommand(dir, opts);
    });

const worker: RegisterCommand = (program) =>
  program
    .command("worker")
    .description("run queued runs (rag run/resume --queue, rag serve --queue) until Ctrl-C; many workers on many machines share one queue")
    .option("--queue <redis-url>", "the queue: redis://host:port[/db][?queue=NAME&prefix=PREFIX]")
    .option("--checkpoints <postgres-url>", "the shared Postgres checkpoints: postgres://…[?schema=NAME]")
    .option("--config <path>", "rag.config.ts naming the registry jobs compile against (default: the standard registry)")
    .option("--concurrency <n>", "runs at once in this process (default 1)")
    .option("--lock-duration <ms>", "job lease: how long a dead worker's run waits before another worker takes it over (default 30000)")
    .option("--distribute <mode>", "`branches`: the branches of every run's sends become jobs any worker runs (a graph can ask with `defaults { distribute: branches }`); `none`: only those graphs' (overrides the config's `worker.distribute`)")
    .option("--branch-concurrency <n>", "branch jobs at once in this process (default 16)")
    .action(async (opts) => {
      const { workerCommand } = await import("./worker.js");
      process.exitCode = await workerCommand(opts);
    });

const serve: RegisterCommand = (program) =>
  program
    .command("serve")
    .description("the HTTP + SSE API (docs/api.md) without the studio page; stateless, so several can share Postgres and Redis")
    .argument("[dir]", "workspace folder of the .rag files (default: .)")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts in DIR)")
    .option("--host <host>", "interface to listen on (default 127.0.0.1)")
    .option("--port <n>", "port (default 8123)")
    .option("--checkpoints <path>", "SQLite checkpoint file, or postgres://… (shared store)")
    .option("--queue <redis-url>", "enqueue runs for `rag worker`s and stream their events from Redis")
    .option("--token-env <name>", "environment variable holding the API token (default RAG_API_TOKEN; unset: a random token, printed)")
    .option("--allow-host <name>", "also accept this Host header (a public name behind a load balancer); repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .option("--max-runs <n>", "runs going at once (default 32); more are refused with 429 too_many_runs")
    .action(async (dir: string | undefined, opts) => {
      const { serveCommand } = await import("./serve.js");
      process.exitCode = await serveCommand(dir, opts);
    });

const simulate: RegisterCommand = (program) =>
  program
    .command("simulate")
    .description("run a graph with no real calls: explore every path, report loops, check `// rag:assert` assertions (exit 1 on a failure)")
    .argument("<file>", ".rag file")
    .option("--config <path>", "rag.config.ts naming the registry (default: rag.config.ts beside the file)")
    .option("--registry <file.json>", "simulate against a registry snapshot (`rag registry export`) instead of a config")
    .option("--graph <name>", "graph to simulate (default: the first of the file)")
    .option("--max-paths <n>", "distinct paths to explore before stopping (default 64)")
    .option("--json", "print the report as JSON")
    .action(async (file: string, opts) => {
      const { simulateCommand } = await import("./simulate.js");
      process.exitCode = await simulateCommand(file, opts);
    });

const author: RegisterCommand = (program) =>
  program
    .command("author")
    .description("a model writes a .rag file for TASK, repaired with rag check / rag simulate feedback; prints a review summary (never runs it)")
    .argument("<task>", "what the workflow should do")
    .option("--config <path>", "rag.config.ts naming the registry and the model (default: ./rag.config.ts)")
    .option("--model <name>", "registry model that writes (default: `author`, else `default`, else the only model)")
    .option("--out <file>", "file to write (default: GRAPH.rag, never overwriting)")
    .option("--rounds <n>", "repair rounds after the first reply (default 3)")
    .option("--record <cassette.json>", "record the conversation into a cassette file")
    .option("--replay <cassette.json>", "answer from a recorded cassette (no network, no API keys)")
    .option("--json", "print the summary as JSON")
    .action(async (task: string, opts) => {
      const { authorCommand } = await import("./author.js");
      process.exitCode = await authorCommand(task, opts);
    });

export const COMMANDS: readonly RegisterCommand[] = [init, check, compile, run, resume, runs, fmt, graph, diff, spec, registry, approve, repl, lsp, studio, serve, worker, simulate, author];
