/** Lexical diagnostics (`language.md` §1). */
import type { CatalogEntry } from "./entry.js";

export const LEXICAL: readonly CatalogEntry[] = [
  { code: "E-rag-invalid-token", title: "invalid token", meaning: "A character that starts no token of the language (e.g. `@`). Remove it.", example: "graph @g { start a node a {} }" },
  { code: "E-rag-unterminated-string", title: "unterminated string", meaning: 'A quoted string runs to the end of its line (or a `"""` string to the end of the file). Close it; use `"""…"""` for text over several lines.', example: 'graph g { start a node a { prompt "hello } }' },
  { code: "E-rag-unterminated-comment", title: "unterminated block comment", meaning: "A `/*` comment is never closed by `*/`.", example: "graph g { start a node a {} } /* trailing" },
  { code: "E-rag-invalid-escape", title: "invalid escape", meaning: "A string holds an escape that is neither a JSON escape nor `\\u{…}` or `\\{`.", example: 'graph g { start a node a { prompt "bad \\q" } }' },
  { code: "E-rag-hash-comment", title: "`#` comment", meaning: "`#` does not start a comment in `.rag`; use `//`. A machine fix replaces it.", example: "# comment\ngraph g { start a node a {} }" },
  { code: "E-rag-invalid-duration", title: "invalid duration", meaning: "A duration is an integer and a unit (`250ms`, `30s`, `5m`, `2h`), a string such as `\"30s\"`, or a bare number of seconds.", example: 'graph g { start a node a { timeout "soon" } }' },
  { code: "E-rag-invalid-template", title: "invalid template", meaning: "A `{{` in a template is never closed, or holds no expression. Write `\\{{` for literal braces.", example: 'graph g { start a node a { prompt "Hi {{ state.name" } }' },
  { code: "E-rag-limit-exceeded", title: "limit exceeded", meaning: "The source exceeds a front-end limit (size, nesting, string length, nodes per graph, expression length, a number past the largest double such as `1e999`, which would read as Infinity). The limits protect the compiler; split the input or raise the limit.", example: "graph g { start a node a { prompt " + "[".repeat(70) + " } }" },
];
