/**
 * No diagnostic names a declaration by an empty name. Parse-error recovery keeps a
 * declaration whose name is missing (`agent { model "x" }`: the agent's items are still
 * worth checking), and the rules describe declarations as ``agent `NAME` ``, so without
 * this a message could read "used by agent ``". `runRules` passes every rule's report
 * through `withoutEmptyNames`, which says "the unnamed agent" instead, whichever rule
 * wrote the message (issue 14 §4, a rough edge of recovery).
 */
import type { DiagnosticExtras } from "../../grammar/diagnostic.js";

/** A declaration word followed by an empty quoted name, with the article before it, if any. */
const EMPTY_NAME = /(?:\b(?:a|an|the)\s+)?\b(agent|graph|node|schema|field|tool|model|channel|subgraph)\s+``/g;

/** `text` with every ``KIND `` `` (an empty quoted name) replaced by "the unnamed KIND". */
export function withoutEmptyNames(text: string): string {
  return text.includes("``") ? text.replace(EMPTY_NAME, (_, kind: string) => `the unnamed ${kind}`) : text;
}

/** `extras` with `withoutEmptyNames` applied to its label, labels and help (the same object when none holds an empty name). */
export function extrasWithoutEmptyNames(extras: DiagnosticExtras | undefined): DiagnosticExtras | undefined {
  if (!extras) return extras;
  const texts = [extras.label, extras.help, ...(extras.labels ?? []).map((l) => l.message)];
  if (!texts.some((t) => t?.includes("``"))) return extras;
  return {
    ...extras,
    ...(extras.label !== undefined ? { label: withoutEmptyNames(extras.label) } : {}),
    ...(extras.help !== undefined ? { help: withoutEmptyNames(extras.help) } : {}),
    ...(extras.labels ? { labels: extras.labels.map((l) => ({ ...l, message: withoutEmptyNames(l.message) })) } : {}),
  };
}
