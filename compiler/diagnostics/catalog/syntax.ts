/** Syntax diagnostics (`language.md` §2, §5). */
import type { CatalogEntry } from "./entry.js";

export const SYNTAX: readonly CatalogEntry[] = [
  { code: "E-rag-unexpected-token", title: "unexpected token", meaning: "The parser found a token where the grammar allows another: an unknown item, a missing name or brace, or a truncated file. Recovery continues, so every syntax error of a file is reported.", example: "graph g { start a node a { bogus 1 } }" },
  { code: "E-rag-unclosed-block", title: "unclosed node", meaning: "A node's `}` is missing: its body runs into the next `node NAME {`. The error points at that declaration and at the `{` left open; the fix adds the `}` after the node's last item.", example: "graph g {\n  start a\n  node a {\n    next b\n  node b { next END }\n}" },
];
