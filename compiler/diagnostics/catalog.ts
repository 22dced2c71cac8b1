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
import { STATE } from "./catalog/state.js";
import { STRUCTURE } from "./catalog/structure.js";
import { SYNTAX } from "./catalog/syntax.js";
import { TOOLS } from "./catalog/tools.js";
import { WARNINGS } from "./catalog/warnings.js";

export type { CatalogEntry };

export const CATALOG: readonly CatalogEntry[] = [...LEXICAL, ...SYNTAX, ...DECLARATIONS, ...STRUCTURE, ...CAPABILITIES, ...STATE, ...ITEMS, ...EXPRESSIONS, ...POLICY, ...ANALYSIS, ...WARNINGS, ...TOOLS];

const BY_CODE = new Map(CATALOG.map((e) => [e.code, e]));

export function catalogEntry(code: string): CatalogEntry | undefined {
  return BY_CODE.get(code);
}

export function catalogSeverity(code: string): Severity {
  return severityOf(code);
}
