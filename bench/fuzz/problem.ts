/**
 * What the fuzzer reports about one input (`check.ts` for the front end's properties,
 * `cli-paths.ts` for the CLI's): the kinds of problem and a problem found.
 */

/** What can be wrong with one input: the front end's properties, then the CLI paths' (cli-paths.ts). */
export type ProblemKind = "throw" | "span" | "uncatalogued" | "fix-throw" | "render" | "report-size" | "json" | "fix-unsettled" | "fmt-unstable" | "graph" | "input-json" | "printable";

/** Every kind, in report order (`hang` and `oom` are found by the runner). */
export const PROBLEM_KINDS: readonly ProblemKind[] = ["throw", "span", "uncatalogued", "fix-throw", "render", "report-size", "json", "fix-unsettled", "fmt-unstable", "graph", "input-json", "printable"];

export interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
}
