/**
 * Per-graph caches of the analyses the rules share (flow graph, termination, expression
 * types), and one call that drops a graph's entries from all of them.
 *
 * `runRules` forgets a graph once every rule has visited it: the analyses are then
 * garbage that dies young instead of tenured memory held for the rest of the compile
 * (a file of 20,000 graphs kept 20,000 flow graphs alive, and the garbage collector
 * copied and marked them again and again). An analysis asked for after that is
 * rebuilt, with the same result.
 */
import type { ResolvedGraph } from "../resolve/resolve.js";

const caches: WeakMap<ResolvedGraph, unknown>[] = [];

/** A new cache keyed by graph, registered so that `forgetGraph` clears it. */
export function graphCache<T>(): WeakMap<ResolvedGraph, T> {
  const cache = new WeakMap<ResolvedGraph, T>();
  caches.push(cache as WeakMap<ResolvedGraph, unknown>);
  return cache;
}

/** Drops `g`'s entry from every cache made by `graphCache`. */
export function forgetGraph(g: ResolvedGraph): void {
  for (const cache of caches) cache.delete(g);
}
