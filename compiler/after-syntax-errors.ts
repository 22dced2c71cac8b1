/**
 * What the checks say about a file that does not parse. Error recovery hands the rules a
 * program with holes (a node cut short, an item swallowed by an unclosed bracket), and
 * their findings there are echoes of the syntax error, not news: "`set` key `next` is not
 * a state field" when a `}` is missing, "node `b` is never reached" when the `next b`
 * that reached it was swallowed. So, while the file has a syntax error:
 * - warnings are held back (they come back once it parses);
 * - errors inside a damaged node — the node declaration a syntax error lies in, or for
 *   `E-rag-unclosed-block` everything from the `{` left open to the error — are dropped;
 * - every other error stays (a misspelt model in an intact node is still worth knowing).
 * Compilers do the same for the same reason (rustc stops after a parse error; tsc keeps
 * only errors outside the damaged statement).
 */
import type { Diagnostic } from "../grammar/diagnostic.js";
import type { Program } from "../grammar/rag/ast.js";

/** `[start, end)` offsets of a damaged region. */
type Region = readonly [number, number];

/**
 * The rule diagnostics worth showing beside `parseDiagnostics` (see the module comment);
 * `ruleDiagnostics` itself when the parse had no error.
 */
export function afterSyntaxErrors(program: Program, parseDiagnostics: readonly Diagnostic[], ruleDiagnostics: readonly Diagnostic[]): readonly Diagnostic[] {
  const syntax = parseDiagnostics.filter((d) => d.severity === "error");
  if (!syntax.length) return ruleDiagnostics;
  const nodes: Region[] = [];
  for (const item of program.items) {
    if (item.kind !== "GraphDecl") continue;
    for (const g of item.items) if (g.kind === "NodeDecl") nodes.push([g.span.start.offset, g.span.end.offset]);
  }
  const damaged: Region[] = [];
  for (const d of syntax) {
    const at = d.span.start.offset;
    if (d.code === "E-rag-unclosed-block" && d.labels[0]) damaged.push([d.labels[0].span.start.offset, d.span.end.offset]);
    const node = nodes.find(([s, e]) => s <= at && at < e);
    if (node) damaged.push(node);
  }
  const inDamage = (o: number) => damaged.some(([s, e]) => s <= o && o < e);
  return ruleDiagnostics.filter((d) => d.severity === "error" && !inDamage(d.span.start.offset));
}
