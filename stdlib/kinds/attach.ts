/**
 * `attach { image: …, file: … }` (`language.md` §5.1): the node's image and file parts,
 * evaluated from state before the model call and added to its user message.
 *
 * A value is a URL string (`https:`/`http:`, or `data:MEDIA;base64,DATA`), an object
 * `{ url }` or `{ data, media_type, name? }` (base64 data), a list of these (lists in it are flattened one level), or null
 * (nothing attached). Bounds, checked before any part is built: at most
 * `MAX_PARTS` parts and `MAX_PART_BYTES` of base64 text in all. Anything else fails the
 * task (permanent: the same state gives the same error) naming graph, node and part.
 *
 * A URL part is fetched by the model provider, not here — and a provider on the local
 * network (an OpenAI-compatible vLLM or Ollama server) fetches it from there. So a URL
 * whose host is an internal address (loopback, private, link-local such as the cloud
 * metadata service at 169.254.169.254, `localhost`, a single-label or `.internal`/`.local`
 * name) is refused, as `http_get` refuses one: a URL written into state by model output or
 * a run input cannot make the provider reach inside the network. Host names are judged as
 * written (no lookup here); attach local content as `data:` or `{ data, media_type }`.
 */
import type { ExprEntrySpec } from "../../compiler/index.js";
import type { ContentPart, NodeTask } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";
import { classifyAddress } from "../tools/net-guard.js";

/** Parts one node may attach. */
export const MAX_PARTS = 20;
/** Base64 characters one node may attach in all (about 15 MB of binary data). */
export const MAX_PART_BYTES = 20_000_000;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Why a URL part's host is internal (see the module comment), or undefined when it is not. */
function internalHost(url: string): string | undefined {
  let host: string;
  try {
    // The root's dot goes: `localhost.` and `metadata.google.internal.` are the same hosts
    // to a resolver, and were attached (red team 12A).
    host = new URL(url).hostname.toLowerCase().replace(/\.+$/, "");
  } catch {
    return "it is not a valid URL";
  }
  const ip = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (/^[\d.]+$/.test(ip) || ip.includes(":")) {
    try {
      const c = classifyAddress(ip);
      return c.kind === "public" ? undefined : `its host ${host} is a ${c.kind} address${c.range ? ` (${c.range})` : ""}`;
    } catch {
      return `its host ${host} is not a valid address`;
    }
  }
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local") || !host.includes(".")) return `its host ${host} is a local name`;
  return undefined;
}
/** Why a URL part is refused (its host is internal), or undefined when it may be attached. */
function urlRefusal(url: string): string | undefined {
  const why = internalHost(url);
  return why && `the URL is refused: ${why} (the provider would fetch it from inside the network); attach local content as \`data:\` or \`{ data, media_type }\``;
}

const DATA_URL = /^data:([a-z]+\/[A-Za-z0-9.+-]+);base64,/;
const MEDIA_TYPE = /^[a-z]+\/[A-Za-z0-9.+-]+$/;

/**
 * The node's parts, in `attach` order (images, then files, as written); [] without `attach`.
 * @param entries another `attach` list than the node's (an inline agent's), evaluated with
 *   `extra` bindings (the agent's `input`) on top of the node's scope.
 */
export function attachmentParts(task: NodeTask, entries: readonly ExprEntrySpec[] | undefined = task.node.attach, extra?: Record<string, unknown>): ContentPart[] {
  if (!entries?.length) return [];
  const fail = (what: string): never => {
    throw new NodeError(`graph \`${task.blueprint.id}\`, node \`${task.node.name}\`: ${what}`, "permanent", { graph: task.blueprint.id, node: task.node.name, taskId: task.taskId });
  };
  const values: { kind: "image" | "file"; value: unknown }[] = [];
  for (const e of entries) {
    const kind = e.key === "image" ? "image" : "file";
    const v = task.evaluate(e.value, extra);
    // A list may hold lists (`image: [state.photo, state.scans]`): one level is flattened, its size checked first.
    const size = Array.isArray(v) ? v.reduce((n: number, x: unknown) => n + (Array.isArray(x) ? x.length : 1), 0) : 1;
    if (values.length + size > MAX_PARTS) fail(`\`attach\` gives more than ${MAX_PARTS} parts`);
    const list: unknown[] = Array.isArray(v) ? v.flat(1) : [v];
    for (const x of list) if (x !== null && x !== undefined) values.push({ kind, value: x });
  }
  let bytes = 0;
  const out: ContentPart[] = [];
  values.forEach(({ kind, value }, i) => {
    const where = `attach ${kind} (part ${i + 1})`;
    let part: ContentPart;
    if (typeof value === "string") {
      const m = DATA_URL.exec(value);
      if (m) part = { kind, mediaType: m[1], data: value.slice(m[0].length) };
      else if (/^https?:\/\//i.test(value)) {
        const refused = urlRefusal(value);
        if (refused) return fail(`${where}: ${refused}`);
        part = { kind, url: value };
      }
      else return fail(`${where}: expected an http(s) URL, a \`data:…;base64,\` URL or \`{ data, media_type }\`, got the string ${JSON.stringify(value.slice(0, 40))}`);
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      const name = typeof o.name === "string" ? o.name : undefined;
      if (typeof o.url === "string" && /^https?:\/\//i.test(o.url)) {
        const refused = urlRefusal(o.url);
        if (refused) return fail(`${where}: ${refused}`);
        part = { kind, url: o.url, ...(name ? { name } : {}) };
      }
      else if (typeof o.data === "string" && typeof o.media_type === "string" && MEDIA_TYPE.test(o.media_type)) part = { kind, data: o.data, mediaType: o.media_type, ...(name ? { name } : {}) };
      else return fail(`${where}: an object part is \`{ url: "https://…" }\` or \`{ data: BASE64, media_type: "image/png" }\``);
    } else return fail(`${where}: expected a URL string or an object, got ${typeof value}`);
    if (part.data !== undefined) {
      bytes += part.data.length;
      if (bytes > MAX_PART_BYTES) fail(`\`attach\` holds more than ${MAX_PART_BYTES} characters of base64 data`);
      if (!BASE64.test(part.data)) fail(`${where}: \`data\` is not base64`);
    }
    if (kind === "image" && part.mediaType !== undefined && !part.mediaType.startsWith("image/")) fail(`${where}: an image has an \`image/…\` media type, not \`${part.mediaType}\` (attach it as a \`file\`)`);
    out.push(part);
  });
  return out;
}
