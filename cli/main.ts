/**
 * `rag`: the process entry point (bin/rag.js imports it). The program itself is in
 * cli/program.ts.
 *
 * When the reader of stdout or stderr goes away (`rag run … | head`, a pager quit
 * early), a write fails with EPIPE. Node ignores SIGPIPE, so without a handler that
 * error is an unhandled 'error' event and a stack trace; instead the command stops at
 * once with status 141 (128 + SIGPIPE), as a Unix tool killed by SIGPIPE does. A run
 * stopped this way is like a crashed one: `rag resume THREAD` continues it.
 */
import { errorJson, wantsJson } from "./json-mode.js";
import { main } from "./program.js";

/** Exit status of a command whose output pipe was closed by its reader (128 + SIGPIPE). */
const EXIT_BROKEN_PIPE = 141;
/** Exit status when output cannot be written (a full disk, an I/O error): sysexits' EX_IOERR. */
const EXIT_IO_ERROR = 74;

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
    // One line on the other stream (best effort), not an uncaught exception's stack trace.
    const other = stream === process.stdout ? process.stderr : process.stdout;
    try {
      other.write(`error: cannot write ${stream === process.stdout ? "standard output" : "standard error"}: ${err.code ?? err.message}\n`);
    } catch {
      // nowhere left to say it
    }
    process.exit(EXIT_IO_ERROR);
  });
}

/** Exit status when the command stopped with work pending that can never end: sysexits' EX_SOFTWARE. */
const EXIT_STALLED = 70;

// Node exits once nothing is left that could wake it, even while the command still
// awaits something: a model provider's or tool's promise that never settles (no socket,
// no timer behind it). A run then ended mid-step with status 0 and no word, as if it had
// finished. Now it says so and exits 70; the run is left as a crashed one is.
let settled = false;
process.once("beforeExit", () => {
  if (settled) return;
  const why = "the command stopped before it finished: it was waiting for something that can never end (a model provider, tool or node kind whose promise never settles, with nothing left to wake it); a run stopped so is left as a crashed one (`rag resume THREAD` continues it)";
  if (wantsJson(process.argv.slice(2))) process.stdout.write(errorJson("stalled", why));
  else process.stderr.write(`error: ${why}\n`);
  process.exitCode = EXIT_STALLED;
});

main(process.argv.slice(2)).then((code) => {
  settled = true;
  process.exitCode = code;
});
