/**
 * `rag repl [FILE.ragsh] [--config PATH] [--context TEXT|@file] [--json] [--history FILE] [--checkpoints PATH]`
 * (`repl.md` §5). Without a file: the interactive prompt (history in
 * `.rag/repl_history` of the project, the config's folder, unless `--history` says);
 * when standard input is not a terminal (`… | rag repl`, `rag repl < cells.txt`), it
 * stops at the first failed cell or colon command and exits 1, as a script does.
 * Graph runs checkpoint in memory, or to the SQLite file `--checkpoints` names.
 * With a file: runs its cells in order (cells are separated by `// %%` lines; a cell that
 * is a `:load FILE` or `:reset` line does what it does at the prompt); stdout is
 * the script's output, diagnostics go to stderr, or, with `--json`, every session and
 * graph event is one JSON line on stdout. Exit 0 when every cell succeeds, 1 at the first
 * failed cell, 2 for a usage or config error.
 */
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { diagnosticToJson, renderDiagnostics } from "../../compiler/index.js";
import { LineIndex } from "../../grammar/span.js";
import type { AnyEvent } from "../../repl/events.js";
import { PromptView, runPrompt } from "../../repl/prompt.js";
import { isModelWritten, runScript } from "../../repl/directives.js";
import { Session } from "../../repl/session.js";
import { closeCheckpoints, openReachableCheckpoints } from "../checkpoints.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, MAX_INPUT_BYTES, readSource, useProjectApprovals } from "../files.js";
import { colorsFor, renderStyle } from "../style.js";
import { printableId } from "../../stdlib/printable.js";

export interface ReplCommandOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly context?: string;
  readonly history?: string;
  /** SQLite file the session's graph runs checkpoint to (default: in memory). */
  readonly checkpoints?: string;
}

export async function replCommand(file: string | undefined, opts: ReplCommandOptions): Promise<number> {
  if (opts.history !== undefined) checkHistoryFlag(opts.history);
  // A graph given where a script goes parsed as .ragsh: a screen of syntax errors about
  // `string[]` and `->`. Say what the file is and the two ways to use it instead.
  if (file && /\.rag$/i.test(file)) {
    const shown = printableId(file);
    throw new CliError(`${shown} is a graph (.rag), not a .ragsh script: run it with \`rag run ${shown}\`, or register its graphs in the REPL with \`:load ${shown}\``, 2, { code: "usage" });
  }
  const configPath = configPathFor(file ?? join(process.cwd(), "repl.ragsh"), opts.config);
  const loaded = await loadConfig(configPath);
  // The project's approvals (`rag approve` writes them; `:approve` at the prompt adds to them).
  useProjectApprovals(loaded.registry, file ?? join(process.cwd(), "repl.ragsh"), configPath);
  const checkpointer = opts.checkpoints ? await openReachableCheckpoints(opts.checkpoints) : undefined;
  const context = opts.context === undefined ? null : opts.context.startsWith("@") ? readSource(opts.context.slice(1), MAX_INPUT_BYTES) : opts.context;
  if (!file) {
    if (opts.json) throw new CliError("--json needs a script file: rag repl FILE.ragsh --json");
    const out = process.stdout;
    const colors = colorsFor(out).isColorSupported;
    const view = new PromptView(out, colors);
    // Piped or redirected input runs as a script does: it stops at the first failed cell or
    // command, exit 1; and, as `rag repl FILE.ragsh` does, its leading comment lines say
    // whose it is. Model-written input (`// rag:generated-by model`) runs as a model's
    // session (policy.untrustedAllow) and may not use a person's commands (`:approve`,
    // `:resume`, `:save`: Session.personCommand). It used to run with the person's grants.
    const piped = !process.stdin.isTTY;
    const { head, input } = piped ? await readHead(process.stdin) : { head: "", input: process.stdin };
    const byModel = piped && isModelWritten(head, loaded.registry.policy);
    if (byModel) process.stderr.write("note: standard input was written by a model: it runs as a model's session (policy.untrustedAllow); :approve, :resume and :save are refused\n");
    const session = new Session({ registry: loaded.registry, context, author: byModel ? "model" : "human", sink: view.onEvent, ...(checkpointer ? { checkpointer } : {}) });
    const project = configPath ? dirname(configPath) : process.cwd();
    try {
      return await runPrompt({ session, input, output: out, historyFile: opts.history ?? join(project, ".rag", "repl_history"), ...(opts.history ? {} : { historyRoot: project }), colors, stopAtFailure: piped, errors: process.stderr }, view);
    } finally {
      await closeCheckpoints(checkpointer);
    }
  }

  const text = readSource(file);
  const shown = displayPath(file);
  const write = (e: AnyEvent) => process.stdout.write(JSON.stringify(e) + "\n");
  // A script whose first lines say `// rag:generated-by model …` (anything untrusted by
  // the rule a `.rag` file is compiled under, `isUntrusted`) runs as a model's session:
  // its calls under `policy.untrustedAllow`, the graphs it defines under review.
  const byModel = isModelWritten(text, loaded.registry.policy);
  const session = new Session({
    registry: loaded.registry,
    context,
    author: byModel ? "model" : "human",
    ...(checkpointer ? { checkpointer } : {}),
    ...(opts.json ? { sink: write } : { sink: (e: AnyEvent) => void (e.type === "cell_stdout" && "text" in e && process.stdout.write(e.text)) }),
  });
  const style = renderStyle(process.stderr);
  // With --json, why a `:load` stopped the script goes into `session_failed` on stdout, not to stderr.
  let failure: { message: string; diagnostics?: readonly unknown[] } | undefined;
  const ok = await runScript(session, text, file, {
    cell: async (source, from) => {
      const at = from === file ? shown : displayPath(from);
      const r = await session.runCell(source, { file: at });
      if (!opts.json && r.diagnostics.length) process.stderr.write(renderDiagnostics(r.diagnostics, { lines: new LineIndex(source), file: at }, style) + "\n");
      return r.ok;
    },
    // A loaded .rag file with errors stops the script, as a failed cell does.
    loaded: (from, r) => {
      const failed = r.diagnostics.some((d) => d.severity === "error");
      if (opts.json) {
        if (failed) failure = { message: `${displayPath(from)} does not compile`, diagnostics: r.diagnostics.map((d) => diagnosticToJson(d, displayPath(from))) };
      } else if (r.diagnostics.length) process.stderr.write(renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: displayPath(from) }, style) + "\n");
      return !failed;
    },
    lowered: (from) => process.stderr.write(`note: ${displayPath(from)} was written by a model: the rest of ${shown} runs as a model's session (policy.untrustedAllow)\n`),
    error: (message) => void (opts.json ? (failure = { message }) : process.stderr.write(`error: ${message}\n`)),
  }, 0, undefined, byModel);
  const status = ok ? 0 : 1;
  session.end(status ? (failure?.message ?? `a cell of ${shown} failed`) : undefined, failure?.diagnostics);
  await closeCheckpoints(checkpointer);
  if (!opts.json && session.answered) process.stdout.write(`answer: ${JSON.stringify(session.finalAnswer, null, 2)}\n`);
  return status;
}

/**
 * `--history FILE` names a file: an empty path or a folder is a usage error (a folder was
 * accepted, and the history silently never kept). A link or a missing file is fine: the
 * history is written by rename (repl/history-file.ts).
 * @throws CliError (exit 2) naming the path.
 */
function checkHistoryFlag(path: string): void {
  if (path === "") throw new CliError("--history needs a file path, not an empty string");
  let dir = false;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    dir = false; // missing (created at the first cell) or unreadable (reported when written)
  }
  if (dir) throw new CliError(`--history ${printableId(path)} is a directory; name a file (e.g. ${printableId(join(path, "repl_history"))})`);
}

/** Lines `provenanceFromText` reads for a pragma (its leading blank and `//` lines). */
const HEAD_LINES = 64;

/**
 * Reads piped standard input up to where `isModelWritten` can judge it, as it judges a
 * script file: the first line that is neither blank nor a `//` comment, `HEAD_LINES`
 * lines, or the end of input. Returns that text (`head`) and a stream that replays it
 * followed by the rest of the input, unread, so the prompt sees every byte (input piped
 * line by line from a running program is not read to its end first). Past
 * `MAX_INPUT_BYTES` of comment lines the head is what was read.
 */
async function readHead(stdin: NodeJS.ReadableStream): Promise<{ head: string; input: NodeJS.ReadableStream }> {
  const chunks: (string | Buffer)[] = [];
  const decoder = new StringDecoder("utf8");
  let head = "";
  let ended = false;
  const at = { start: 0, scanned: 0, lines: 0 };
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.off("error", onError);
      stdin.pause();
      resolve();
    };
    const onData = (chunk: string | Buffer) => {
      chunks.push(chunk);
      head += typeof chunk === "string" ? chunk : decoder.write(chunk);
      if (headDone(head, at)) stop();
    };
    const onEnd = () => ((ended = true), stop());
    const onError = (e: Error) => (stop(), reject(e));
    stdin.on("data", onData);
    stdin.once("end", onEnd);
    stdin.once("error", onError);
  });
  const input = new PassThrough();
  for (const c of chunks) input.write(c);
  if (ended) input.end();
  else stdin.pipe(input);
  return { head, input };
}

/**
 * Whether `text` (input read so far) holds its first code line, `HEAD_LINES` lines, or
 * `MAX_INPUT_BYTES` characters. `at` keeps where the unfinished line starts and how many
 * lines were judged, so each chunk is scanned once.
 */
function headDone(text: string, at: { start: number; scanned: number; lines: number }): boolean {
  if (text.length > MAX_INPUT_BYTES) return true;
  for (; at.lines < HEAD_LINES; at.lines++) {
    const nl = text.indexOf("\n", Math.max(at.start, at.scanned));
    at.scanned = nl < 0 ? text.length : nl + 1;
    // Its first characters say what a line is (a comment, blank, code).
    const t = text.slice(at.start, Math.min(nl < 0 ? text.length : nl, at.start + 1024)).trim();
    // A started line that is not blank and cannot become a comment is code (or a colon command).
    if (t !== "" && !t.startsWith("//") && !"//".startsWith(t)) return true;
    if (nl < 0) return false;
    at.start = nl + 1;
  }
  return true;
}
