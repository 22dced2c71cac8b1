/**
 * The errors `compile` reports for a source, each as its code, message and the source text
 * its span covers (`at`): what a rule's test asserts — the wording and the place.
 */
import { compile } from "../../compiler/index.js";

export function compileErrors(source: string): { code: string; message: string; at: string }[] {
  return compile(source)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => ({ code: d.code, message: d.message, at: source.slice(d.span.start.offset, d.span.end.offset) }));
}
