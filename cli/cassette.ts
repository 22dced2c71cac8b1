/** `rag run --record FILE` / `--replay FILE`: swaps the registry's providers for recording or replaying ones. */
import type { Registry } from "../registry/index.js";
import { Cassette, CassetteError, recordModels, replayModels } from "../stdlib/providers/cassette.js";
import { CliError } from "./errors.js";
import { displayPath } from "./files.js";

export interface CassetteUse {
  /** Saves a recording (reporting how many calls it holds on stderr); nothing for a replay. */
  finish(): void;
}

/**
 * @throws CliError for `--record` together with `--replay`, or an unreadable cassette.
 */
export function useCassette(registry: Registry, opts: { readonly record?: string; readonly replay?: string }): CassetteUse | undefined {
  if (opts.record && opts.replay) throw new CliError("--record and --replay cannot be used together");
  if (opts.replay) {
    let cassette: Cassette;
    try {
      cassette = Cassette.load(opts.replay);
    } catch (e) {
      if (e instanceof CassetteError) throw new CliError(e.message);
      throw e;
    }
    replayModels(registry, new Cassette(cassette.entries, displayPath(opts.replay)));
    return { finish: () => {} };
  }
  if (opts.record) {
    const path = opts.record;
    const cassette = new Cassette([], displayPath(path));
    recordModels(registry, cassette);
    return {
      finish: () => {
        cassette.save(path);
        process.stderr.write(`recorded ${cassette.entries.length} model call${cassette.entries.length === 1 ? "" : "s"} to ${displayPath(path)}\n`);
      },
    };
  }
  return undefined;
}
