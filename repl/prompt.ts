/**
 * The interactive prompt of `rag repl` (`repl.md` §5), on Node's readline: history
 * persisted per project, multi-line input while brackets are open, tab completion of
 * built-ins, variables, colon commands and graph/model/tool/agent names, a spinner
 * while a capability call runs, colored results, and the colon commands
 * `:help :vars :graphs :load :run :resume :history :save :reset :approve :quit`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import pc from "picocolors";
import { renderDiagnostics, type RenderStyle } from "../compiler/index.js";
import { parseRagsh } from "../grammar/ragsh/parse.js";
import { didYouMean } from "../grammar/suggest.js";
import { LineIndex } from "../grammar/span.js";
import { loadFile, resetNote, type LoadHooks } from "./directives.js";
import { ScriptError } from "./errors.js";
import { readHistoryFile, writeHistoryFile } from "./history-file.js";
import { isIncomplete } from "./script.js";
import type { AnyEvent } from "./events.js";
import type { CellResult, Session } from "./session.js";
import { formatValue } from "./boundary.js";
import { isToolApproval, toolApprovalLines } from "../stdlib/approval-text.js";
import { exampleAnswer } from "../stdlib/resume-example.js";

export interface PromptOptions {
  readonly session: Session;
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** File the history is kept in (e.g. `.rag/repl_history` of the project). */
  readonly historyFile?: string;
  /**
   * The folder `historyFile`'s folders are checked from (default: its own folder): the
   * project's for `.rag/repl_history`, so a `.rag` that is a link keeps no history.
   */
  readonly historyRoot?: string;
  readonly colors: boolean;
  /**
   * Input that is not a terminal (piped, redirected): stop at the first failed cell or
   * colon command (a failed `:load`, `:run`, `:resume`, `:save`, a usage error, an unknown
   * command) and resolve 1, as `rag repl FILE.ragsh` stops at its first failed cell.
   * The lines after it are not run.
   */
  readonly stopAtFailure?: boolean;
  /** Where the one-line "stopped" note goes (`rag repl`: stderr); default `output`. */
  readonly errors?: NodeJS.WritableStream;
}

const COMMANDS: Readonly<Record<string, string>> = {
  ":help": "this list",
  ":vars": "the session's variables",
  ":graphs": "graphs you can run (registry and session)",
  ":load FILE": "register the graphs of a .rag file, or run a .ragsh script",
  ":run GRAPH JSON": "run a graph with an input object",
  ":resume THREAD [JSON]": "resume a paused graph run, answering its interrupt",
  ":history": "the cells of this session (the newest 100)",
  ":save FILE.ragsh": "write this session's cells and :load/:reset lines to a script",
  ":reset": "forget every variable",
  ":reset data": "forget functions (and values holding one), keep plain data",
  ":approve HASH": "approve a generated graph's hash; prints the review token",
  ":quit": "leave (also Ctrl-D; Ctrl-C cancels a running cell)",
};

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Feeds a session's events to the prompt: live stdout and the capability spinner. */
export class PromptView {
  private timer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private label = "";
  private readonly c: ReturnType<typeof pc.createColors>;

  constructor(private readonly out: PromptOptions["output"], colors: boolean) {
    this.c = pc.createColors(colors);
  }

  get colors() {
    return this.c;
  }

  /** The session sink: prints stdout as it comes and spins while a capability runs. */
  readonly onEvent = (e: AnyEvent): void => {
    if (!("sessionId" in e)) return;
    if (e.type === "cell_stdout") {
      this.clear();
      this.out.write(e.text);
      this.draw();
    } else if (e.type === "capability_call_started") this.start(`${e.capability} ${e.target}`);
    else if (e.type === "capability_call_completed") this.stop();
  };

  private start(label: string): void {
    this.label = label;
    if (!this.out.isTTY) return;
    this.timer ??= setInterval(() => this.draw(), 80);
    this.draw();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    if (!this.timer || !this.out.isTTY) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    this.out.write(`\r${this.c.cyan(FRAMES[this.frame])} ${this.c.dim(this.label)}…\x1b[K`);
  }

  private clear(): void {
    if (this.out.isTTY) this.out.write("\r\x1b[K");
  }

  /** Stops the spinner for good. */
  close(): void {
    this.stop();
  }
}

/** Colors for diagnostics rendered at the prompt. */
export function promptStyle(c: ReturnType<typeof pc.createColors>): RenderStyle {
  return { error: c.red, warning: c.yellow, info: c.cyan, bold: c.bold, gutter: c.blue, secondary: c.cyan };
}

/** How a cell's outcome reads at the prompt: diagnostics, the value, a dim summary. */
export function formatResult(r: CellResult, c: ReturnType<typeof pc.createColors>): string {
  const out: string[] = [];
  if (r.diagnostics.length) out.push(renderDiagnostics(r.diagnostics, { lines: new LineIndex(r.source), file: r.file }, promptStyle(c)));
  if (r.ok && r.value !== undefined) out.push(colorValue(r.value, c));
  if (r.finalAnswer !== undefined) out.push(`${c.green("answer")} ${colorValue(r.finalAnswer, c)}`);
  const calls = r.calls.length ? `${r.calls.length} call${r.calls.length === 1 ? "" : "s"}, ` : "";
  if (r.calls.length || r.elapsedMs > 100) out.push(c.dim(`(${calls}${Math.round(r.elapsedMs)} ms)`));
  return out.length ? out.join("\n") + "\n" : "";
}

/** `{"values": {id: answer, …}}` answers several interrupts by id. */
function isValues(v: unknown): v is { values: Record<string, unknown> } {
  return typeof v === "object" && v !== null && Object.keys(v).length === 1 && typeof (v as { values?: unknown }).values === "object";
}

function colorValue(v: unknown, c: ReturnType<typeof pc.createColors>): string {
  if (typeof v === "string") return c.green(JSON.stringify(v));
  if (typeof v === "number" || typeof v === "boolean") return c.yellow(String(v));
  if (v === null) return c.dim("null");
  return formatValue(v as never, 4_000);
}

/** Completion candidates for the text before the cursor. */
export function complete(session: Session, line: string): [string[], string] {
  if (/^:\w*$/.test(line)) {
    const names = Object.keys(COMMANDS).map((k) => k.split(" ")[0]);
    return [names.filter((n) => n.startsWith(line)), line];
  }
  // `r.st<Tab>`, `r[0].te<Tab>`, `r.items[2]["a b"].x<Tab>`: the properties (record keys,
  // methods) of what the path reaches from variable `r`, not the globals.
  const member = /([A-Za-z_$][\w$]*)((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["[^"\\]*"\])*)\.([A-Za-z_$][\w$]*)?$/.exec(line);
  if (member) {
    const partial = member[3] ?? "";
    const path = [...member[2]!.matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\["([^"\\]*)"\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3])!));
    return [session.propertyNames(member[1]!, path).filter((n) => n.startsWith(partial)).sort(), partial];
  }
  const word = /[A-Za-z_$][\w$]*$/.exec(line)?.[0] ?? "";
  const caps = session.capabilityNames();
  const pool = new Set([...session.reservedNames(), ...session.variableNames(), ...caps.models, ...caps.tools, ...caps.agents, ...caps.graphs]);
  return [[...pool].filter((n) => n.startsWith(word)).sort(), word];
}

interface PausedRun {
  readonly thread: string;
  readonly interrupts: readonly { readonly id: string; readonly node: string; readonly payload: unknown }[];
}

/** The value of `graph_run` when the run paused for a person, else undefined. */
function pausedRun(v: unknown): PausedRun | undefined {
  if (!v || typeof v !== "object" || (v as { status?: unknown }).status !== "interrupted") return undefined;
  const r = v as { thread?: unknown; interrupts?: unknown };
  if (typeof r.thread !== "string" || !Array.isArray(r.interrupts)) return undefined;
  return { thread: r.thread, interrupts: r.interrupts as PausedRun["interrupts"] };
}

/** A paused `:run`: each pending interrupt (node, prompt, options) and the `:resume` line that answers it. */
function pausedText(p: PausedRun, c: ReturnType<typeof pc.createColors>): string {
  const lines = [`  ${c.yellow("⏸ paused")} on thread ${c.bold(p.thread)}, waiting for ${p.interrupts.length} answer${p.interrupts.length === 1 ? "" : "s"}`];
  for (const i of p.interrupts) {
    if (isToolApproval(i.payload)) {
      // A tool call waiting for a person: the tool, its arguments (indented, bounded), what each answer does.
      const [head, ...rest] = toolApprovalLines(i.payload);
      lines.push(`    ${c.bold(i.node)}: ${head}`, ...rest.map((l, n) => `      ${n >= rest.length - 2 ? c.dim(l) : l}`));
      const approve = JSON.stringify(i.payload.options[0] ?? "approve");
      lines.push(c.dim(`    answer with: :resume ${p.thread} ${p.interrupts.length === 1 ? approve : `{"values": {"${i.id}": ${approve}}}`}`));
      continue;
    }
    const payload = (i.payload ?? {}) as { prompt?: unknown; options?: unknown };
    const prompt = typeof payload.prompt === "string" ? payload.prompt : i.payload !== null && i.payload !== undefined ? formatValue(i.payload as never, 200) : "input needed";
    const options = Array.isArray(payload.options) ? payload.options.map(String) : [];
    lines.push(`    ${c.bold(i.node)}: ${prompt}${options.length ? c.dim(`  options: ${options.join(" | ")}`) : ""}`);
    // The answer `rag resume` would print: of the `resume { … }` type when the node declares one.
    const example = exampleAnswer(i.payload) ?? '"…"';
    lines.push(c.dim(`    answer with: :resume ${p.thread} ${p.interrupts.length === 1 ? example : `{"values": {"${i.id}": ${example}}}`}`));
  }
  return lines.join("\n") + "\n";
}

/** History file lines: a multi-line entry is kept on one line as `#ragsh-cell <JSON string>`. */
const CELL_PREFIX = "#ragsh-cell ";
function encodeEntry(entry: string): string {
  return entry.includes("\n") ? CELL_PREFIX + JSON.stringify(entry) : entry;
}
function decodeEntry(line: string): string {
  if (!line.startsWith(CELL_PREFIX)) return line;
  try {
    const v: unknown = JSON.parse(line.slice(CELL_PREFIX.length));
    return typeof v === "string" ? v : line;
  } catch {
    return line;
  }
}

/**
 * Runs the prompt until `:quit` or end of input; resolves with the exit status: 0, or 1
 * when `stopAtFailure` stopped it at a failed cell or command.
 */
export function runPrompt(o: PromptOptions, view: PromptView): Promise<number> {
  const { session } = o;
  const c = view.colors;
  const history = o.historyFile ? readHistoryFile(o.historyFile).split("\n").filter(Boolean).map(decodeEntry).reverse() : [];
  const rl: Interface = createInterface({ input: o.input, output: o.output, terminal: Boolean(o.output.isTTY), history, historySize: 1_000, completer: (line: string) => complete(session, line) });
  const save = (h: string[]) => {
    if (!o.historyFile) return;
    writeHistoryFile(o.historyFile, [...h].reverse().map(encodeEntry).join("\n") + "\n", o.historyRoot);
  };
  /** A multi-line cell is one history entry (recalled whole), not one entry per line. */
  const collapse = (lines: readonly string[]) => {
    const h = (rl as unknown as { history?: string[] }).history;
    if (!h || lines.length < 2) return;
    let n = 0;
    for (const l of [...lines].reverse()) if (l.trim() && h[n] === l) n++;
    h.splice(0, n, lines.join("\n"));
    save(h);
  };
  rl.on("history", save);
  const PROMPT = c.bold(c.cyan("ragsh> "));
  const MORE = c.dim("  ...> ");
  let buffer: string[] = [];
  let closed = false;
  let running = false;
  // With stopAtFailure: a cell or command failed; the lines after it are skipped.
  let failed = false;
  // Ctrl-C at an empty prompt arms the exit; a second Ctrl-C (or Ctrl-D) leaves, any input disarms.
  let armed = false;
  let busy = Promise.resolve();
  // What `:save` writes, in order: the cells typed (and `:run`s), and `:load FILE` (absolute
  // path) and `:reset` lines; the cells a loaded script ran are replayed by its `:load`.
  const transcript: string[] = [];
  const write = (s: string) => o.output.write(s);
  write(`${c.bold("ragraph REPL")} — .ragsh, a safe JavaScript subset. ${c.dim(":help for commands, Tab to complete, Ctrl-D to quit")}\n`);
  rl.setPrompt(PROMPT);
  rl.prompt();

  const runCell = async (source: string, file?: string) => {
    const r = await session.runCell(source, file ? { file } : {});
    write(formatResult(r, c));
    return r;
  };
  const hooks: LoadHooks = {
    cell: async (source, file) => (await runCell(source, file)).ok,
    loaded: (file, r) => {
      if (r.diagnostics.length) write(renderDiagnostics(r.diagnostics, { lines: r.value.lines, file }, promptStyle(c)) + "\n");
      write(c.dim(`  registered ${r.value.blueprints.map((b) => b.id).join(", ") || "no graph"}\n`));
      // At the prompt a file with errors still registers its good graphs; a script (and piped input) stops.
      return !o.stopAtFailure || !r.diagnostics.some((d) => d.severity === "error");
    },
    reset: (_file, note) => write(c.dim(`  ${note}\n`)),
    lowered: (file) => write(c.yellow(`  ${file} was written by a model: this session now runs as a model's (policy.untrustedAllow) until :reset\n`)),
    error: (message) => write(c.red(`  ${message}\n`)),
  };
  /** A `:save`d script's line for a transcript entry: `:load` paths relative to the script's folder. */
  const savedEntry = (entry: string, to: string) => {
    const m = /^:load (.+)$/.exec(entry);
    if (!m) return entry.replace(/^\n+/, "");
    const rel = relative(dirname(to), m[1]!);
    return `:load ${rel && !isAbsolute(rel) ? rel : m[1]}`;
  };

  /** Runs a colon command; resolves false when it failed (a usage error, an unknown command, a failed cell or load). */
  const command = async (line: string): Promise<boolean> => {
    const [cmd, ...rest] = line.trim().split(/\s+/);
    const arg = line.trim().slice(cmd.length).trim();
    switch (cmd) {
      case ":help":
        write(Object.entries(COMMANDS).map(([k, v]) => `  ${c.cyan(k.padEnd(20))} ${v}`).join("\n") + "\n");
        return true;
      case ":vars": {
        const vars = Object.entries(session.variablePreviews());
        write(vars.length ? vars.map(([k, v]) => `  ${c.bold(k)} = ${v}`).join("\n") + "\n" : c.dim("  (no variables)\n"));
        return true;
      }
      case ":graphs": {
        const rows = [...session.capabilityNames().graphs].map((g) => `  ${c.bold(g)} ${c.dim(session.graph(g)?.hash.slice(0, 19) ?? "")}${session.graphs.has(g) ? c.dim(" (session)") : ""}`);
        write(rows.length ? rows.join("\n") + "\n" : c.dim("  (no graphs)\n"));
        return true;
      }
      case ":load":
        return load(arg);
      case ":run": {
        const [graph, ...json] = rest;
        if (!graph) return usage(":run GRAPH JSON");
        const input = json.join(" ") || "{}";
        const source = `graph_run({graph: ${JSON.stringify(graph)}, input: ${input}})`;
        // The input is spliced into a cell (so `{name: x}` may use variables); input that does
        // not parse is reported as the user typed it, not as an error in the generated cell.
        const unparsed = inputError(input);
        if (unparsed !== undefined) {
          write(c.red(`  the input does not parse: ${unparsed}\n`) + c.dim(`  (:run ${graph} {"question": "…"} takes a JSON object, or a .ragsh object like {question: q})\n`));
          return false;
        }
        transcript.push(source);
        const r = await session.runCell(source);
        const paused = r.ok ? pausedRun(r.value) : undefined;
        if (!paused) write(formatResult(r, c));
        else write(pausedText(paused, c));
        return r.ok;
      }
      case ":resume": {
        const [thread, ...json] = rest;
        if (!thread) return usage(":resume THREAD [JSON]");
        let value: unknown;
        try {
          value = json.length ? JSON.parse(json.join(" ")) : undefined;
        } catch (e) {
          write(c.red(`  the answer is not JSON: ${(e as Error).message}\n`) + c.dim(`  (a text answer needs JSON quotes: :resume ${thread} "approve")\n`));
          return false;
        }
        const command = value === undefined ? {} : isValues(value) ? { values: value.values } : { value };
        try {
          const r = await session.resumeThread(thread, command);
          if (r.status === "interrupted") write(`  ${c.yellow("paused again")}: ${r.interrupts.map((i) => `${i.id} (${i.node})`).join(", ")}\n`);
          else write(`  ${c.green("completed")} ${colorValue(r.output ?? r.state, c)}\n`);
        } catch (e) {
          return refused(e);
        }
        return true;
      }
      case ":history":
        write(session.history.map((h) => `  ${c.dim(h.cellId.padEnd(4))} ${h.ok ? c.green("✓") : c.red("✗")} ${h.source.trim().split("\n")[0].slice(0, 70)}`).join("\n") + (session.history.length ? "\n" : c.dim("  (no cells yet)\n")));
        return true;
      case ":save": {
        if (!arg) return usage(":save FILE.ragsh");
        try {
          session.personCommand(":save");
        } catch (e) {
          return refused(e);
        }
        const to = resolve(arg);
        try {
          writeFileSync(to, transcript.map((t) => savedEntry(t, to)).join("\n// %%\n") + "\n");
        } catch (e) {
          write(c.red(`  cannot write ${arg}: ${(e as Error).message}\n`));
          return false;
        }
        const n = transcript.length;
        write(c.dim(`  saved ${n} cell${n === 1 ? "" : "s"} to ${arg}\n`));
        return true;
      }
      case ":reset": {
        if (arg !== "" && arg !== "data") return usage(":reset [data]");
        const kept = session.reset(arg === "data" ? "data" : undefined);
        transcript.push(arg === "data" ? ":reset data" : ":reset");
        const what = resetNote(arg === "data" ? "data" : undefined, kept);
        write(c.dim(session.restoreTrust() ? `  ${what}; the session is yours again (no model-written code is left)\n` : `  ${what}\n`));
        return true;
      }
      case ":approve":
        if (!/^sha256:[0-9a-f]{64}$/.test(arg)) return usage(":approve sha256:…");
        try {
          write(`  review token: ${c.bold(session.approve(arg, "prompt"))}\n`);
        } catch (e) {
          return refused(e);
        }
        return true;
      case ":quit":
      case ":q":
        rl.close();
        return true;
      default:
        {
          const near = didYouMean(cmd, Object.keys(COMMANDS).map((k) => k.split(" ")[0]!));
          write(c.red(`  unknown command ${cmd}`) + c.dim(near ? ` (did you mean ${near}? :help lists them)\n` : " (:help lists them)\n"));
        }
        return false;
    }
  };

  const usage = (u: string) => (write(c.yellow(`  usage: ${u}\n`)), false);
  /** A command that threw: its message (with its code and help when it is a diagnostic's, e.g. a refused person's command); false. */
  const refused = (e: unknown) => {
    if (e instanceof ScriptError) write(c.red(`  error[${e.code}]: ${e.message}\n`) + (e.extras.help ? c.dim(`  help: ${e.extras.help}\n`) : ""));
    else write(c.red(`  ${(e as Error).message}\n`));
    return false;
  };

  const load = async (file: string): Promise<boolean> => {
    if (!file) return usage(":load FILE.rag|FILE.ragsh");
    // Kept for :save once the file could be read (a script that failed part-way replays the same way).
    if (existsSync(resolve(file))) transcript.push(`:load ${resolve(file)}`);
    return loadFile(session, file, hooks);
  };

  return new Promise((done) => {
    rl.on("line", (line) => {
      armed = false;
      busy = busy.then(async () => {
        if (failed) return;
        running = true;
        let ok = true;
        try {
          if (!buffer.length && line.trim().startsWith(":")) ok = await command(line);
          else {
            buffer.push(line);
            const text = buffer.join("\n");
            if (isIncomplete(text) && !closed) {
              rl.setPrompt(MORE);
              rl.prompt();
              return;
            }
            collapse(buffer);
            buffer = [];
            if (text.trim()) {
              transcript.push(text);
              ok = (await runCell(text)).ok;
            }
          }
        } finally {
          running = false;
        }
        if (!ok && o.stopAtFailure) {
          failed = true;
          (o.errors ?? o.output).write(`error: stopped at the first failure (input is not a terminal, so it runs as a script does; exit 1)\n`);
          rl.close();
          return;
        }
        if (closed) return;
        rl.setPrompt(PROMPT);
        rl.prompt();
      });
    });
    // Ctrl-C cancels the running cell (and the capability call in flight), else drops an
    // unfinished cell or the typed line, else arms the exit (a second Ctrl-C leaves).
    rl.on("SIGINT", () => {
      if (running) {
        write(c.yellow("\n  cancelling…\n"));
        session.cancel();
      } else if (buffer.length || rl.line) {
        // Drop the unfinished cell or the typed line; the session stays.
        buffer = [];
        armed = false;
        rl.write(null, { ctrl: true, name: "e" });
        rl.write(null, { ctrl: true, name: "u" });
        write("\n");
        rl.setPrompt(PROMPT);
        rl.prompt();
      } else if (armed) rl.close();
      else {
        armed = true;
        write(c.dim("\n(press Ctrl-C again or Ctrl-D to leave)\n"));
        rl.prompt();
      }
    });
    rl.on("close", () => {
      closed = true;
      void busy.then(() => {
        view.close();
        session.end(failed ? "a cell of standard input failed" : undefined);
        write("\n");
        done(failed ? 1 : 0);
      });
    });
  });
}

/**
 * Why the input of `:run GRAPH INPUT` does not parse, or undefined when it does: JSON, or
 * any .ragsh expression (an object literal using the session's variables).
 */
function inputError(input: string): string | undefined {
  try {
    JSON.parse(input);
    return undefined;
  } catch (e) {
    const parsed = parseRagsh(`(${input}\n)`);
    return parsed.diagnostics.some((d) => d.severity === "error") ? (e as Error).message : undefined;
  }
}
