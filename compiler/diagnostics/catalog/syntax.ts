/** Syntax diagnostics (`language.md` §2, §5). */
import type { CatalogEntry } from "./entry.js";

export const SYNTAX: readonly CatalogEntry[] = [
  { code: "E-rag-unexpected-token", title: "unexpected token", meaning: "The parser found a token where the grammar allows another: an unknown item, a missing name or brace, or a truncated file. Recovery continues, so every syntax error of a file is reported.", example: "graph g { start a node a { bogus 1 } }" },
];
