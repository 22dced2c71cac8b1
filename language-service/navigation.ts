/**
 * Go to definition, find references and rename, over the document's symbol index
 * (occurrences.ts). Declarations live in the same file; registry names (models, tools…)
 * have no definition in it. Rename covers nodes and state fields / channels, the
 * names the compiler resolves within one graph.
 */
import { isReservedFieldName, RESERVED_KEYS } from "../compiler/index.js";
import { DEFAULT_LIMITS } from "../grammar/index.js";
import type { Document } from "./document.js";
import type { Occurrence } from "./occurrences.js";
import { toOffset, toRange } from "./positions.js";
import type { LsLocation, LsPosition, LsPrepareRename, LsRenameResult, LsTextEdit } from "./types.js";

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(["START", "END", "true", "false", "null"]);
const RENAMABLE = new Set(["node", "field"]);

function occurrenceAt(doc: Document, p: LsPosition): Occurrence | undefined {
  return doc.symbols.at(toOffset(doc.lines, p));
}

/** Where the symbol under the cursor is declared (empty for registry names and unknown names). */
export function definition(doc: Document, p: LsPosition): LsLocation[] {
  const o = occurrenceAt(doc, p);
  if (!o) return [];
  return (doc.symbols.byKey.get(o.key) ?? []).filter((x) => x.definition).map((x) => ({ uri: doc.uri, range: toRange(x.span) }));
}

/** Every occurrence of the symbol under the cursor, the declaration first when included. */
export function references(doc: Document, p: LsPosition, includeDeclaration: boolean): LsLocation[] {
  const o = occurrenceAt(doc, p);
  if (!o || o.category === "end") return [];
  const all = doc.symbols.byKey.get(o.key) ?? [];
  return [...all.filter((x) => x.definition), ...all.filter((x) => !x.definition)]
    .filter((x) => includeDeclaration || !x.definition)
    .map((x) => ({ uri: doc.uri, range: toRange(x.span) }));
}

/** The name under the cursor when it can be renamed (a node or a state field / channel). */
export function prepareRename(doc: Document, p: LsPosition): LsPrepareRename | null {
  const o = occurrenceAt(doc, p);
  if (!o || !RENAMABLE.has(o.category)) return null;
  return { range: toRange(o.span), placeholder: o.name };
}

/**
 * Renames the node or field under the cursor everywhere in its graph. Refused (never
 * thrown) for other symbols, a new name that is no identifier or is reserved — a reserved
 * word, `__proto__`/`constructor`/`prototype` (`E-rag-reserved-name`), a field of the
 * runtime's `__name__` form (`E-rag-reserved-field`): a rename must not write a name the
 * compiler then refuses — or one that another node / field of the graph already has.
 */
export function rename(doc: Document, p: LsPosition, newName: string): LsRenameResult {
  const o = occurrenceAt(doc, p);
  if (!o || !RENAMABLE.has(o.category)) return { error: { code: "not-renamable", message: "only a node or a state field / channel can be renamed" } };
  if (typeof newName !== "string" || !IDENT.test(newName) || RESERVED.has(newName)) return { error: { code: "invalid-name", message: `\`${String(newName).slice(0, 200)}\` is not a valid name: use letters, digits and \`_\`, not starting with a digit, and none of START, END, true, false, null` } };
  if (RESERVED_KEYS.has(newName)) return { error: { code: "invalid-name", message: `\`${newName}\` is reserved and cannot be used as a name` } };
  if (o.category === "field" && isReservedFieldName(newName)) return { error: { code: "invalid-name", message: `\`${newName}\` has the form \`__name__\`, which the runtime reserves for its own records` } };
  if (newName === o.name) return { edit: { changes: { [doc.uri]: [] } } };
  const prefix = o.key.slice(0, o.key.length - o.name.length);
  if (doc.symbols.byKey.get(prefix + newName)?.some((x) => x.definition)) {
    return { error: { code: "name-taken", message: `this graph already has a ${o.category === "node" ? "node" : "state field"} named \`${newName}\`` } };
  }
  const at = doc.symbols.byKey.get(o.key) ?? [];
  // Charged before the edit is built: N occurrences of a long name made an answer of N times
  // its length (10,000 uses of a node renamed to a 1 MB name: 10 GB of JSON to serialise)
  // for a file the compiler would refuse anyway.
  const grown = doc.text.length + at.length * (newName.length - o.name.length);
  if (grown > DEFAULT_LIMITS.sourceSize) return { error: { code: "invalid-name", message: `renamed, the file would be ${grown} characters long; the limit is ${DEFAULT_LIMITS.sourceSize}` } };
  const edits: LsTextEdit[] = at.map((x) => ({ range: toRange(x.span), newText: newName }));
  return { edit: { changes: { [doc.uri]: edits } } };
}
