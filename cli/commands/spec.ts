/**
 * `rag spec`: prints the LLM grammar card (issue 3 §5), the compact language reference
 * to put in a model's prompt. `--tokens` prints its estimated size instead.
 */
import { approxTokens, CARD_TOKEN_BUDGET, GRAMMAR_CARD } from "../../grammar/index.js";

export interface SpecOptions {
  readonly tokens?: boolean;
}

export async function specCommand(opts: SpecOptions): Promise<number> {
  if (opts.tokens) process.stdout.write(`${approxTokens(GRAMMAR_CARD)} tokens (estimate; budget ${CARD_TOKEN_BUDGET})\n`);
  else process.stdout.write(GRAMMAR_CARD);
  return 0;
}
