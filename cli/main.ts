/**
 * `rag`: the process entry point (bin/rag.js imports it). The program itself is in
 * cli/program.ts.
 */
import { main } from "./program.js";

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
