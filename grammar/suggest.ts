/**
 * Did-you-mean suggestions, after graphql-js `suggestionList.ts`: candidates within an
 * edit distance of a third of the input's length (at least 1; graphql-js allows 40%,
 * which suggests `tags` for `bogus`), closest first, case-insensitive
 * matches preferred. Distance is optimal string alignment (Damerau–Levenshtein with
 * adjacent transpositions).
 */

/** Candidates close to `input`, best first. */
export function suggestionList(input: string, candidates: Iterable<string>): string[] {
  const threshold = Math.floor(input.length / 3) + 1;
  const lower = input.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  for (const c of new Set(candidates)) {
    if (c === input || c === "") continue;
    const d = c.toLowerCase() === lower ? 0.5 : distance(lower, c.toLowerCase(), threshold);
    if (d <= threshold) scored.push({ c, d });
  }
  return scored.sort((a, b) => a.d - b.d || a.c.localeCompare(b.c)).map((s) => s.c);
}

/** The single best suggestion, if any. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  return suggestionList(input, candidates)[0];
}

/** Optimal string alignment distance, giving up (returning threshold + 1) past `threshold`. */
function distance(a: string, b: string, threshold: number): number {
  if (Math.abs(a.length - b.length) > threshold) return threshold + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2][j - 2] + 1);
      rows[i][j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > threshold) return threshold + 1;
  }
  return rows[a.length][b.length];
}
