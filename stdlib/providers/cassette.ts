/**
 * Record / replay (`runtime.md` §7; the "cassette" of Ruby's VCR and Python's vcrpy):
 * `recording` wraps any provider and saves each request (normalised, as the cache
 * addresses it — `middleware/request-key.ts`) with its reply; `replaying` serves those
 * replies with no network and no API key. Replay matches on the registry model and the
 * normalised request; identical requests get their recorded replies in order (the
 * last one again once they run out), preferring recordings of the same node. A request
 * that was never recorded fails its task with a permanent error naming the node, the
 * model and how the request differs from the closest recording.
 *
 * Recording sits at the provider, inside the middleware: retries, cache hits and
 * budget refusals are not recorded, only the replies the provider gave.
 */
import { writeFileSync } from "node:fs";
import type { ChatRequest, ChatResponse, ModelProvider, Registry } from "../../registry/index.js";
import { NodeError, RagError } from "../../runtime/errors.js";
import { readTextFile, TextFileError } from "../../runtime/read-text-file.js";
import { parseUntrustedJson, UnsafeJsonError } from "../../runtime/safe-json.js";
import { normaliseRequest, requestKey, type NormalisedRequest } from "../middleware/request-key.js";
import { streamWhole } from "./shared.js";

export const CASSETTE_VERSION = 1;

/** Largest cassette file `Cassette.load` reads, bytes. */
export const MAX_CASSETTE_BYTES = 256 * 1024 * 1024;

export interface CassetteEntry {
  /** Registry model name. */
  readonly model: string;
  /** The recorded provider's name (`openai`, `anthropic`, …). */
  readonly provider: string;
  readonly node?: string;
  readonly agent?: string;
  /** Content address of `request`. */
  readonly key: string;
  readonly request: NormalisedRequest;
  readonly response: ChatResponse;
}

/** A cassette file could not be read. */
export class CassetteError extends RagError {
  readonly code = "cassette";
}

export class Cassette {
  readonly entries: CassetteEntry[];
  private readonly served = new Map<string, number>();

  constructor(
    entries: readonly CassetteEntry[] = [],
    /** Shown in errors (the file's path). */
    readonly label = "the cassette",
  ) {
    this.entries = [...entries];
  }

  /**
   * Reads a cassette file as every file named on the command line is read: a regular file
   * (not a FIFO or device: `--replay /dev/zero` read until the heap gave out, a FIFO
   * blocked the run) of at most `MAX_CASSETTE_BYTES`, parsed as untrusted JSON
   * (null-prototype objects, no `__proto__`/`constructor`/`prototype` key, nesting at most
   * 256: its replies reach tools and state, and its requests are compared recursively).
   *
   * @throws CassetteError when the file is missing or refused, not JSON, or not a cassette of this version.
   */
  static load(path: string): Cassette {
    let text: string;
    try {
      text = readTextFile(path, MAX_CASSETTE_BYTES);
    } catch (e) {
      if (!(e instanceof TextFileError)) throw e;
      throw new CassetteError(e.message.replace(/^cannot read /, "cannot read cassette "));
    }
    let data: unknown;
    try {
      data = parseUntrustedJson(text);
    } catch (e) {
      if (!(e instanceof UnsafeJsonError)) throw e;
      throw new CassetteError(e.code === "syntax" ? `cassette ${path} is not valid JSON: ${e.message}` : `cassette ${path}: ${e.message}`);
    }
    const d = data as { version?: unknown; entries?: unknown };
    if (!d || typeof d !== "object" || d.version !== CASSETTE_VERSION || !Array.isArray(d.entries)) throw new CassetteError(`${path} is not a ragraph cassette (version ${CASSETTE_VERSION} with \`entries\`)`);
    return new Cassette(d.entries as CassetteEntry[], path);
  }

  save(path: string): void {
    writeFileSync(path, JSON.stringify({ version: CASSETTE_VERSION, recordedAt: new Date().toISOString(), entries: this.entries }, null, 2) + "\n");
  }

  record(model: string, provider: string, request: ChatRequest, response: ChatResponse): void {
    const { cached: _c, ...clean } = response;
    const m = request.metadata;
    this.entries.push({ model, provider, ...(m?.node ? { node: m.node } : {}), ...(m?.agent ? { agent: m.agent } : {}), key: requestKey(request), request: normaliseRequest(request), response: clean });
  }

  /**
   * The recorded reply for `request` of `model`.
   *
   * @throws NodeError (permanent) naming the node, the model and the difference from the closest recording.
   */
  replay(model: string, request: ChatRequest): ChatResponse {
    const key = requestKey(request);
    const node = request.metadata?.node;
    const same = this.entries.filter((e) => e.model === model && e.key === key);
    if (same.length) {
      const ordered = [...same.filter((e) => e.node === node), ...same.filter((e) => e.node !== node)];
      const n = this.served.get(`${model}|${key}`) ?? 0;
      this.served.set(`${model}|${key}`, n + 1);
      return ordered[Math.min(n, ordered.length - 1)].response;
    }
    const who = `${request.metadata?.agent ? `agent \`${request.metadata.agent}\` of ` : ""}node \`${node ?? "?"}\``;
    const where = { ...(request.metadata?.graph ? { graph: request.metadata.graph } : {}), ...(node ? { node } : {}) };
    const candidates = this.entries.filter((e) => e.model === model);
    if (!candidates.length) {
      const models = [...new Set(this.entries.map((e) => e.model))];
      throw new NodeError(`replay: ${this.label} has no recording for model \`${model}\` (asked by ${who}); it holds ${models.length ? models.map((m) => `\`${m}\``).join(", ") : "no recordings"} — record again with --record`, "permanent", where);
    }
    const now = normaliseRequest(request);
    let best: { entry: CassetteEntry; index: number; diffs: string[] } | undefined;
    candidates.forEach((entry) => {
      const diffs = differences(entry.request, now, "");
      const better = !best || diffs.length < best.diffs.length || (diffs.length === best.diffs.length && entry.node === node && best.entry.node !== node);
      if (better) best = { entry, index: this.entries.indexOf(entry), diffs };
    });
    const b = best!;
    const more = b.diffs.length > 1 ? ` (and ${b.diffs.length - 1} more difference${b.diffs.length > 2 ? "s" : ""})` : "";
    throw new NodeError(
      `replay: ${this.label} has no recorded reply for this request of ${who} (model \`${model}\`); the closest recording (#${b.index + 1}${b.entry.node ? `, node \`${b.entry.node}\`` : ""}) differs at ${b.diffs[0]}${more} — record again with --record`,
      "permanent",
      where,
    );
  }
}

const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};

/** Paths where `recorded` and `now` differ, as `path: recorded X, now Y`. */
function differences(recorded: unknown, now: unknown, path: string): string[] {
  if (Array.isArray(recorded) && Array.isArray(now)) {
    const out: string[] = [];
    for (let i = 0; i < Math.min(recorded.length, now.length); i++) out.push(...differences(recorded[i], now[i], `${path}[${i}]`));
    if (recorded.length !== now.length) out.push(`${path || "the request"}: recorded ${recorded.length} item(s), now ${now.length}`);
    return out;
  }
  if (recorded && now && typeof recorded === "object" && typeof now === "object" && !Array.isArray(recorded) && !Array.isArray(now)) {
    const a = recorded as Record<string, unknown>;
    const b = now as Record<string, unknown>;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => differences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(recorded) === JSON.stringify(now) ? [] : [`${path}: recorded ${show(recorded)}, now ${show(now)}`];
}

/** `provider`, recording every reply into `cassette` under registry model `model`. */
export function recording(provider: ModelProvider, cassette: Cassette, model: string): ModelProvider {
  return {
    name: provider.name,
    ...(provider.preflight ? { preflight: () => provider.preflight!() } : {}),
    async chat(request, options) {
      const res = await provider.chat(request, options);
      cassette.record(model, provider.name, request, res);
      return res;
    },
  };
}

/** A provider that answers registry model `model` from `cassette`, with no network. Streams like a real one when asked. */
export function replaying(cassette: Cassette, model: string): ModelProvider {
  return {
    name: "replay",
    async chat(request, options) {
      if (options?.signal?.aborted) throw options.signal.reason;
      const res = cassette.replay(model, request);
      if (options) await streamWhole(res, options);
      return res;
    },
  };
}

/** Wraps every model of `registry` in `recording` (in place). */
export function recordModels(registry: Registry, cassette: Cassette): void {
  for (const m of [...registry.models.values()]) registry.models.set(m.name, { ...m, provider: recording(m.provider, cassette, m.name) });
}

/** Replaces every model's provider of `registry` by `replaying` (in place); prices and capabilities stay. */
export function replayModels(registry: Registry, cassette: Cassette): void {
  for (const m of [...registry.models.values()]) registry.models.set(m.name, { ...m, provider: replaying(cassette, m.name) });
}
