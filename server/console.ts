/**
 * The studio's `.ragsh` console (`POST /api/repl`): one `Session` on the same rules as
 * `rag repl`, fed one request at a time. A cell, a `:load` (a workspace `.rag` file
 * registers its graphs, a `.ragsh` script runs its cells) or a `:reset`/`:reset data`
 * waits its turn, whole and in arrival order. Every file is read through the workspace.
 * Independent of HTTP (server/routes.ts calls `Project.replCell`).
 */
import { basename, posix } from "node:path";
import { PLAIN_STYLE, renderDiagnostics } from "../compiler/index.js";
import { LineIndex } from "../grammar/span.js";
import type { Registry } from "../registry/index.js";
import { loadFile, parseDirective, resetNote } from "../repl/directives.js";
import { Session } from "../repl/session.js";
import type { Checkpointer } from "../runtime/index.js";
import { ApiError } from "./errors.js";
import type { Workspace } from "./workspace.js";

/**
 * Requests of the studio's `.ragsh` console accepted at once over `POST /api/repl` (a cell,
 * a `:load` with every cell of its script, a `:reset`): the one running plus those
 * waiting for it. One more is refused with 429 `repl_busy`.
 */
export const MAX_QUEUED_CELLS = 4;

export class StudioConsole {
  private session: Session | undefined;
  /** The tail of the request queue, and the requests running or waiting in it (`cell`). */
  private tail: Promise<unknown> = Promise.resolve();
  private requests = 0;
  /** The session was dropped by a config reload (`renew`): the answer of the first cell of the next one says so. */
  private renewed = false;

  /**
   * @param registry the registry a new session is made on (the project's now: a config
   *   reload changes it), with the project's approvals attached; read at each request.
   */
  constructor(
    private readonly workspace: Workspace,
    private readonly checkpointer: Checkpointer,
    private readonly registry: () => Registry,
  ) {}

  /**
   * Runs one `.ragsh` cell in the studio's session (the same rules as `rag repl`). Requests
   * sent while another runs wait their turn, whole and in arrival order: a `:load` holds
   * the session until its script's last cell, and a `:reset` runs after what came before
   * it (as at the prompt). With `MAX_QUEUED_CELLS` already running or waiting, the request
   * is refused before it is parsed. (`:reset` and `:load` used to run at once beside the
   * queued cells: a `:reset` sent while a model-written script waited on a capability gave
   * the person's trust to the rest of that script.)
   *
   * @throws ApiError 429 `repl_busy` past `MAX_QUEUED_CELLS`.
   */
  async cell(source: string): Promise<Record<string, unknown>> {
    const pending = this.requests;
    if (pending >= MAX_QUEUED_CELLS) throw new ApiError("repl_busy", `the session has ${pending} cells running or waiting (at most ${MAX_QUEUED_CELLS}); wait for one to finish`, 429);
    this.requests++;
    const turn = this.tail.then(() => this.request(source));
    this.tail = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      this.requests--;
    }
  }

  /** One request, on its turn (`cell`). */
  private async request(source: string): Promise<Record<string, unknown>> {
    const renewed = this.renewed;
    if (renewed) this.renewed = false;
    const r = await this.answer(source);
    return renewed ? { ...r, stdout: `note: the config changed, so this console started a new session (earlier variables are gone)\n${String(r.stdout ?? "")}` } : r;
  }

  /** What one request answers. */
  private async answer(source: string): Promise<Record<string, unknown>> {
    const registry = this.registry();
    this.session ??= new Session({ registry, context: null, checkpointer: this.checkpointer });
    const directive = parseDirective(source);
    if (directive?.kind === "reset") {
      const kept = this.session.reset(directive.keep);
      const what = resetNote(directive.keep, kept);
      // A person's :reset: nothing a model-written script left is there to call any more.
      return { ok: true, stdout: this.session.restoreTrust() ? `${what}; the session is yours again\n` : `${what}\n`, value: null, diagnostics: "" };
    }
    if (directive?.kind === "load") return this.load(this.session, directive.file);
    const command = /^\s*:([A-Za-z]+)/.exec(source);
    if (command && !source.trim().includes("\n")) {
      const hint = command[1] === "run" ? "; run a graph with graph_run({graph: NAME, input: {…}}) after `:load FILE.rag`" : "";
      return { ok: false, stdout: "", value: null, diagnostics: `error: \`:${command[1]}\` is a command of the \`rag repl\` prompt; this console runs .ragsh cells, \`:load FILE\` (a workspace .rag file registers its graphs, a .ragsh script runs its cells), \`:reset\` and \`:reset data\` (keeps plain data)${hint}\n` };
    }
    const r = await this.session.runCell(source);
    return {
      ok: r.ok,
      stdout: r.stdout,
      value: r.value ?? null,
      diagnostics: r.diagnostics.length ? renderDiagnostics(r.diagnostics, { lines: new LineIndex(source), file: r.file }, PLAIN_STYLE) : "",
    };
  }

  /**
   * The console's `:load FILE`, as at the `rag repl` prompt: a `.rag` file's graphs are
   * registered in the session; a `.ragsh` script runs cell by cell (stopping at its first
   * failed cell), with its own `:load` lines relative to the script's folder. Every file is
   * read through the workspace (confined to it, as every file the API reads), so a script
   * cannot load a path outside it; loads nest at most `MAX_LOAD_DEPTH` deep.
   */
  private async load(session: Session, file: string): Promise<Record<string, unknown>> {
    let stdout = "";
    let diagnostics = "";
    const ok = await loadFile(session, file, {
      read: (f) => {
        try {
          return this.workspace.read(f);
        } catch (e) {
          if (e instanceof ApiError) return { error: `:load ${e.message}${e.code === "not_found" && f === file ? this.workspaceHint(f) : ""}` };
          throw e;
        }
      },
      locate: (from, target) => posix.join(posix.dirname(from), target),
      cell: async (source, f) => {
        const r = await session.runCell(source, { file: f });
        stdout += r.stdout;
        if (r.diagnostics.length) diagnostics += renderDiagnostics(r.diagnostics, { lines: new LineIndex(source), file: r.file }, PLAIN_STYLE);
        return r.ok;
      },
      loaded: (f, r) => {
        stdout += `registered ${r.value.blueprints.map((b) => b.id).join(", ") || "no graph"}${f === file ? "" : ` (${f})`}\n`;
        if (r.diagnostics.length) diagnostics += renderDiagnostics(r.diagnostics, { lines: r.value.lines, file: f }, PLAIN_STYLE);
        return !r.diagnostics.some((d) => d.severity === "error");
      },
      reset: (_file, note) => void (stdout += `${note}\n`),
      lowered: (f) => void (stdout += `${f} was written by a model: this session now runs as a model's (policy.untrustedAllow) until :reset\n`),
      error: (message) => void (diagnostics += `error: ${message.replace(/^error: /, "")}\n`),
    });
    return { ok, stdout, value: null, diagnostics };
  }

  /**
   * For a `:load` path that names the workspace folder itself (`examples/define_diff.ragsh`
   * typed in a studio serving `examples/`, as the comments of the examples say to run them
   * from the checkout): the path relative to the workspace that does exist, as a hint.
   */
  private workspaceHint(file: string): string {
    const name = basename(this.workspace.root);
    const inner = file.replace(/^\.\//, "").startsWith(`${name}/`) ? file.replace(/^\.\//, "").slice(name.length + 1) : undefined;
    if (inner === undefined) return "";
    try {
      this.workspace.read(inner);
    } catch {
      return "";
    }
    return ` (paths are relative to the workspace folder \`${name}/\`: \`:load ${inner}\`)`;
  }

  /**
   * Drops the session (the config changed: its variables were made under the old
   * registry's grants); the next request starts a new one and says so. The old session
   * ends once what is queued on it has run (a cell or `:load` in flight finishes on it).
   */
  renew(): void {
    const old = this.session;
    if (!old) return;
    this.session = undefined;
    this.renewed = true;
    void this.tail.then(() => old.end());
  }

  /** Ends the session (`session_failed` with `error`). */
  end(error: string): void {
    this.session?.end(error);
  }
}
