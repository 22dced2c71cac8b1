/**
 * Writes docs/diagnostics.md from the diagnostics catalog (`npm run docs:diagnostics`).
 * test/compiler/diagnostics-doc.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import { diagnosticsDoc } from "../compiler/diagnostics/doc.js";

const path = new URL("../docs/diagnostics.md", import.meta.url).pathname;
writeFileSync(path, diagnosticsDoc());
process.stdout.write(`wrote ${path}\n`);
