/**
 * Did-you-mean suggestions, after graphql-js `suggestionList.ts`: candidates within an
 * edit distance of a third of the input's length (at least 1; graphql-js allows 40%,
 * which suggests `tags` for `bogus`), closest first, case-insensitive
 * matches preferred. Distance is optimal string alignment (Damerau–Levenshtein with
 * adjacent transpositions).
 *
 * Bounded work whatever the input (issue 10 §3: two 40,000-character names ran out of
 * memory building a full table): names longer than `MAX_NAME_LENGTH` get no suggestion,
 * candidates whose length differs by more than the threshold are skipped before any
 * table is built, at most `MAX_COMPARED` candidates are compared, and the table keeps
 * three rows (O(length) memory).
 *
 * Bounded work over a whole compile too (red team 13): each call was bounded but the
 * calls were not — a diagnostic with a did-you-mean per unknown name, so a 130 kB file of
 * 1,000 nodes with 60-character names and 400 route targets to nodes that do not exist
 * compared 400 × 1,000 names, 221 s of `rag check` (the same in `rag lsp` on every edit and
 * `POST /api/check`). A comparison is charged the cells of its table (the lengths'
 * product) before it is made: at most `MAX_CELLS_PER_CALL` per call, and within
 * `withSuggestionBudget` (every `compile`) at most the scope's budget together; past it a
 * name gets no suggestion (the diagnostic stays, its help lists the names instead).
 */

/** Longer names (in UTF-16 code units) are not typos of a name; no suggestion. */
export const MAX_NAME_LENGTH = 128;
/** At most this many candidates (after the length filter) are compared per call. */
export const MAX_COMPARED = 2_000;
/** Table cells (the product of the two names' lengths) one call may compare: under a millisecond. */
export const MAX_CELLS_PER_CALL = 200_000;
/** Table cells all the suggestions of one compile may compare together (`compile` sets it): tens of milliseconds. */
export const MAX_CELLS_PER_COMPILE = 5_000_000;

/** Cells the enclosing `withSuggestionBudget` scope has left (Infinity outside any). */
let scopeCells = Infinity;

/**
 * Runs `f` with at most `cells` table cells for every suggestion made inside it
 * (nested scopes take the smaller budget and charge the outer one too). Synchronous:
 * a compile is one call.
 */
export function withSuggestionBudget<T>(cells: number, f: () => T): T {
  const outer = scopeCells;
  scopeCells = Math.min(outer, cells);
  const start = scopeCells;
  try {
    return f();
  } finally {
    scopeCells = outer === Infinity ? Infinity : Math.max(0, outer - (start - scopeCells));
  }
}

/**
 * Candidates close to `input`, best first. `candidates` is read as it is iterated (pass
 * a Map's `keys()`, not a copy): each one looked at is charged a cell, each comparison
 * its table's cells, before the work (`MAX_CELLS_PER_CALL`, the scope's budget).
 */
export function suggestionList(input: string, candidates: Iterable<string>): string[] {
  if (input.length > MAX_NAME_LENGTH || scopeCells <= 0) return [];
  const threshold = Math.floor(input.length / 3) + 1;
  const lower = input.toLowerCase();
  const scored = new Map<string, number>();
  let compared = 0;
  let cells = MAX_CELLS_PER_CALL;
  for (const c of candidates) {
    // Looking at a name is charged too: a scan of 100,000 names per call is work.
    if (--cells < 0 || --scopeCells < 0) break;
    if (c === input || c === "" || scored.has(c) || Math.abs(c.length - input.length) > threshold) continue;
    if (++compared > MAX_COMPARED) break;
    // Charged before the table is built: this call's bound, then the compile's.
    const cost = Math.max(1, input.length * c.length);
    if (cost > cells || cost > scopeCells) break;
    cells -= cost;
    scopeCells -= cost;
    const d = c.toLowerCase() === lower ? 0.5 : distance(lower, c.toLowerCase(), threshold);
    if (d <= threshold) scored.set(c, d);
  }
  return [...scored].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([c]) => c);
}

/** The single best suggestion, if any. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  return suggestionList(input, candidates)[0];
}

/** Optimal string alignment distance, giving up (returning threshold + 1) past `threshold`; three rows of memory (typed, reused). */
function distance(a: string, b: string, threshold: number): number {
  if (Math.abs(a.length - b.length) > threshold) return threshold + 1;
  const n = b.length;
  let prev2 = new Int32Array(n + 1);
  let prev = new Int32Array(n + 1);
  let row = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cost = ai === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2]! + 1);
      row[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > threshold) return threshold + 1;
    const spare = prev2;
    prev2 = prev;
    prev = row;
    row = spare;
  }
  return prev[n]!;
}
