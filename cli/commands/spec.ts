/**
 * `rag spec [--config PATH | --registry FILE.json] [--tokens]`: prints the LLM grammar
 * card (issue 3 §5), the compact language reference to put in a model's prompt. With a
 * config or a registry snapshot, the card ends with "What you may use": the registry's
 * names with their signatures (issue 15 §1). `--tokens` prints the estimated size instead;
 * `--json` prints `{"card", "tokens", "budget"}`.
 */
import { signatureSection, type RegistrySnapshot } from "../../compiler/index.js";
import { approxTokens, CARD_TOKEN_BUDGET, GRAMMAR_CARD } from "../../grammar/index.js";
import { exportRegistry } from "../../registry/index.js";
import { CliError } from "../errors.js";
import { configPathFor, loadConfig, readSnapshotFile } from "../files.js";

export interface SpecOptions {
  readonly tokens?: boolean;
  readonly config?: string;
  readonly registry?: string;
  readonly json?: boolean;
}

export async function specCommand(opts: SpecOptions): Promise<number> {
  if (opts.config && opts.registry) throw new CliError("give --config or --registry, not both");
  let snap: RegistrySnapshot | undefined;
  if (opts.registry) snap = readSnapshotFile(opts.registry);
  else if (opts.config) snap = exportRegistry((await loadConfig(configPathFor(undefined, opts.config))).registry);
  const card = snap ? `${GRAMMAR_CARD}\n${signatureSection(snap)}` : GRAMMAR_CARD;
  if (opts.json) process.stdout.write(JSON.stringify({ card, tokens: approxTokens(card), budget: CARD_TOKEN_BUDGET }) + "\n");
  else if (opts.tokens) process.stdout.write(`${approxTokens(card)} tokens (estimate; budget of the card without registry ${CARD_TOKEN_BUDGET})\n`);
  else process.stdout.write(card);
  return 0;
}
