/** Diagnostics of the tools for authors and reviewers (`rag fmt`, issue 3 §5). */
import type { CatalogEntry } from "./entry.js";

export const TOOLS: readonly CatalogEntry[] = [
  {
    code: "E-rag-fmt-unverified",
    title: "formatting not verified",
    meaning:
      "`rag fmt` re-parses and re-compiles what it printed and refuses to write it unless it parses cleanly, keeps every comment, and yields the same blueprint hash for every graph. This error means that check failed (a formatter bug); the file is left unchanged. Internal: no program triggers it on purpose.",
    example: "",
  },
];
