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
 */

/** Longer names (in UTF-16 code units) are not typos of a name; no suggestion. */
export const MAX_NAME_LENGTH = 128;
/** At most this many candidates (after the length filter) are compared per call. */
export const MAX_COMPARED = 2_000;

/** Candidates close to `input`, best first. */
export function suggestionList(input: string, candidates: Iterable<string>): string[] {
  if (input.length > MAX_NAME_LENGTH) return [];
  const threshold = Math.floor(input.length / 3) + 1;
  const lower = input.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  let compared = 0;
  for (const c of new Set(candidates)) {
    if (c === input || c === "" || Math.abs(c.length - input.length) > threshold) continue;
    if (++compared > MAX_COMPARED) break;
    const d = c.toLowerCase() === lower ? 0.5 : distance(lower, c.toLowerCase(), threshold);
    if (d <= threshold) scored.push({ c, d });
  }
  return scored.sort((a, b) => a.d - b.d || a.c.localeCompare(b.c)).map((s) => s.c);
}

/** The single best suggestion, if any. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  return suggestionList(input, candidates)[0];
}

/** Optimal string alignment distance, giving up (returning threshold + 1) past `threshold`; three rows of memory. */
function distance(a: string, b: string, threshold: number): number {
  if (Math.abs(a.length - b.length) > threshold) return threshold + 1;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      row[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > threshold) return threshold + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length];
}
