/** A run's input judged before the run starts: untrusted data first, then the graph's `input` block. */
import type { Blueprint } from "../compiler/index.js";
import { didYouMean } from "../grammar/index.js";
import { InvalidInputError } from "./errors.js";
import { checkUntrustedValue, UnsafeJsonError } from "./safe-json.js";
import { describeIssues, recordSchema } from "./schema.js";

/** `; \`reqest\` is not a field of the input block: did you mean \`request\`?` for each given key close to a declared one. */
function misspelt(fields: readonly string[], input: Record<string, unknown>): string {
  const declared = new Set(fields);
  const out: string[] = [];
  for (const k of Object.keys(input)) {
    if (declared.has(k)) continue;
    const guess = didYouMean(k, fields);
    if (guess && !Object.hasOwn(input, guess)) out.push(`; \`${k}\` is not a field of the input block: did you mean \`${guess}\`?`);
  }
  return out.slice(0, 3).join("");
}

/** @throws InvalidInputError for an own `__proto__`/`constructor`/`prototype` key or nesting past 256 (`checkUntrustedValue`). */
export function checkUntrustedInput(bp: Blueprint, input: Record<string, unknown>): void {
  try {
    checkUntrustedValue(input);
  } catch (e) {
    if (e instanceof UnsafeJsonError) throw new InvalidInputError(`the input of graph \`${bp.id}\` is refused: it ${e.message}`, { graph: bp.id });
    throw e;
  }
}

/**
 * Checks a run input against the graph's `input` block.
 *
 * @throws InvalidInputError naming the graph and the mismatched fields.
 */
export function checkInput(bp: Blueprint, input: Record<string, unknown>): void {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw new InvalidInputError(`the input of graph \`${bp.id}\` must be an object`, { graph: bp.id });
  if (!bp.input) return;
  const r = recordSchema(bp.input, bp.schemas).safeParse(input, { reportInput: true });
  if (!r.success) throw new InvalidInputError(`the input of graph \`${bp.id}\` does not match its \`input\` block: ${describeIssues(r.error)}${misspelt(bp.input.map((f) => f.name), input)}`, { graph: bp.id });
}
