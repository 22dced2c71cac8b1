/**
 * The status line of `rag run` on a terminal while model calls are in flight: a spinner,
 * the model and node, the elapsed time and the tail of the tokens streamed so far,
 * redrawn in place (`\r` + erase line) and fitted to the terminal's width measured with
 * `string-width` (wide characters take two columns, escapes none). Nothing at all when
 * the output is not a TTY (pipes, files, CI logs stay clean).
 */
import stringWidth from "string-width";
import { printableId } from "../stdlib/printable.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Redraw period, ms. */
const TICK_MS = 100;

interface Call {
  readonly label: string;
  readonly startedAt: number;
  tokens: string;
}

export interface SpinnerOptions {
  /** Clock in ms (injected by tests). Default `Date.now`. */
  readonly now?: () => number;
  /** Redraw on a timer (default true; tests redraw on events only). */
  readonly tick?: boolean;
}

export class ModelSpinner {
  private readonly calls = new Map<string, Call>();
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private frame = 0;
  private shown = false;
  readonly enabled: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly options: SpinnerOptions = {},
  ) {
    this.enabled = Boolean(out.isTTY);
    this.now = options.now ?? Date.now;
  }

  /** A model call began (key: run, task and model). */
  start(key: string, label: string): void {
    if (!this.enabled) return;
    this.calls.set(key, { label, startedAt: this.now(), tokens: "" });
    if (this.options.tick !== false && !this.timer) {
      this.timer = setInterval(() => this.draw(), TICK_MS);
      this.timer.unref?.();
    }
    this.draw();
  }

  /** Text streamed by the call. */
  token(key: string, delta: string): void {
    const call = this.calls.get(key);
    if (!call) return;
    call.tokens = (call.tokens + delta).slice(-4096);
    this.draw();
  }

  /** The call ended (completed or failed). */
  end(key: string): void {
    if (!this.calls.delete(key)) return;
    if (!this.calls.size) this.stop();
    else this.draw();
  }

  /** Ends every call whose key starts with `prefix` (a task failed or is retried). */
  endAll(prefix: string): void {
    for (const key of [...this.calls.keys()]) if (key.startsWith(prefix)) this.end(key);
  }

  /** Erases the status line (before another line is printed); the next event redraws it. */
  clear(): void {
    if (!this.shown) return;
    this.out.write("\r\x1b[2K");
    this.shown = false;
  }

  /** Redraws the status line after a line was printed, when calls are still in flight. */
  resume(): void {
    if (this.calls.size) this.draw();
  }

  /** Clears the line and stops the timer. */
  stop(): void {
    this.calls.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** The status line for the newest call, fitted to `columns`. */
  render(columns: number): string {
    const calls = [...this.calls.values()];
    const call = calls.at(-1);
    if (!call) return "";
    const secs = ((this.now() - call.startedAt) / 1000).toFixed(1);
    const more = calls.length > 1 ? ` (+${calls.length - 1} more)` : "";
    const head = `${FRAMES[this.frame % FRAMES.length]} ${call.label} · ${secs}s${more}`;
    const tail = printableId(call.tokens.replace(/\s+/g, " ").trim());
    const room = columns - 1 - stringWidth(head);
    if (!tail || room < 6) return fitColumns(head, columns - 1);
    return `${head} · ${lastColumns(tail, room - 3)}`;
  }

  private draw(): void {
    if (!this.calls.size) return;
    this.frame++;
    this.out.write(`\r\x1b[2K${this.render(this.out.columns || 80)}`);
    this.shown = true;
  }
}

/** `text` cut to at most `columns` terminal columns (from the start; string-width: wide characters count two), `…` at the cut. */
export function fitColumns(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  let out = "";
  let width = 0;
  for (const ch of text) {
    width += stringWidth(ch);
    if (width > columns - 1) break;
    out += ch;
  }
  return out + "…";
}

/** The end of `text` in at most `columns` terminal columns, `…` in front when cut. */
function lastColumns(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  const chars = [...text];
  let start = chars.length;
  let width = 0;
  while (start > 0) {
    width += stringWidth(chars[start - 1]!);
    if (width > columns - 1) break;
    start--;
  }
  return "…" + chars.slice(start).join("");
}
