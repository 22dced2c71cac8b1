/**
 * The diagnostics catalog: the one source of truth for every diagnostic code the
 * front end emits (after TypeScript's `diagnosticMessages.json`: keyed by a stable code,
 * not by message text). Entries live in one file per area under `catalog/`.
 * `docs/diagnostics.md` is generated from it, and tests fail when a code is emitted that
 * the catalog lacks, or when an entry has no test (its example must trigger it).
 */
import { severityOf, type Severity } from "../../grammar/diagnostic.js";
import { ANALYSIS } from "./catalog/analysis.js";
import { CAPABILITIES } from "./catalog/capabilities.js";
import { DECLARATIONS } from "./catalog/declarations.js";
import { EXPRESSIONS } from "./catalog/expressions.js";
import { ITEMS } from "./catalog/items.js";
import type { CatalogEntry } from "./catalog/entry.js";
import { LEXICAL } from "./catalog/lexical.js";
import { POLICY } from "./catalog/policy.js";
import { RAGSH } from "./catalog/ragsh.js";
import { STATE } from "./catalog/state.js";
import { STRUCTURE } from "./catalog/structure.js";
import { SYNTAX } from "./catalog/syntax.js";
import { TOOLS } from "./catalog/tools.js";
import { WARNINGS } from "./catalog/warnings.js";

export type { CatalogEntry };

/** The catalog by area, in the order `docs/diagnostics.md` presents it. */
export const CATALOG_AREAS: readonly { readonly area: string; readonly entries: readonly CatalogEntry[] }[] = [
  { area: "Lexical", entries: LEXICAL },
  { area: "Syntax", entries: SYNTAX },
  { area: "Declarations", entries: DECLARATIONS },
  { area: "Graph structure", entries: STRUCTURE },
  { area: "Registry names", entries: CAPABILITIES },
  { area: "State, types and values", entries: STATE },
  { area: "Node items and inputs", entries: ITEMS },
  { area: "Expressions and templates", entries: EXPRESSIONS },
  { area: "Capabilities, policy and review", entries: POLICY },
  { area: "Graph analyses", entries: ANALYSIS },
  { area: "Other warnings", entries: WARNINGS },
  { area: "Tools and formatting", entries: TOOLS },
];

export const CATALOG: readonly CatalogEntry[] = CATALOG_AREAS.flatMap((a) => a.entries);

/**
 * The `.ragsh` session codes (catalog/ragsh.ts), kept apart from `CATALOG` because
 * their examples are REPL cells run in a session, not `.rag` programs
 * (test/repl/catalog.test.ts runs them; docs/ragsh-diagnostics.md shows them).
 */
export const RAGSH_CATALOG = RAGSH;

const BY_CODE = new Map([...CATALOG, ...RAGSH].map((e) => [e.code, e]));

export function catalogEntry(code: string): CatalogEntry | undefined {
  return BY_CODE.get(code);
}

export function catalogSeverity(code: string): Severity {
  return severityOf(code);
}
