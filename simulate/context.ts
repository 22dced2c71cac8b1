/**
 * What the simulation stand-ins share for one simulated run: the choice trail, the
 * graphs (to look a node up by graph and name), and the literal hints that steer
 * generated data. The simulator swaps `trail` before each run; stand-ins read it when
 * they are called, so one registry serves every run.
 */
import type { Blueprint, NodeSpec } from "../compiler/index.js";
import { ChoiceTrail } from "./choices.js";
import type { Hints } from "./generate.js";

export class SimContext {
  trail: ChoiceTrail = new ChoiceTrail([], 2, 0);
  /** Graphs by id: the file's and the registry's (for node lookups). */
  readonly graphs = new Map<string, Blueprint>();
  hints: Hints = { numbers: [], strings: [] };

  /** The node `name` of graph `graph` (any graph when `graph` is unknown). */
  node(graph: string | undefined, name: string | undefined): NodeSpec | undefined {
    if (name === undefined) return undefined;
    const g = graph !== undefined ? this.graphs.get(graph) : undefined;
    if (g) return g.nodes.find((n) => n.name === name);
    for (const bp of this.graphs.values()) {
      const n = bp.nodes.find((x) => x.name === name);
      if (n) return n;
    }
    return undefined;
  }

  /**
   * True when a failure of `node` is something the graph handles and one may still be
   * injected: the node has `on_error` or is `optional`, or it is a branch of a fan-out
   * whose join waits for the first or N branches (so a failed branch need not fail the run).
   */
  mayFail(graph: string | undefined, name: string | undefined): boolean {
    const n = this.node(graph, name);
    if (this.trail.failures <= 0 || n === undefined) return false;
    if (n.onError !== undefined || n.optional === true) return true;
    const graphs = graph !== undefined && this.graphs.has(graph) ? [this.graphs.get(graph)!] : [...this.graphs.values()];
    return graphs.some((bp) => bp.nodes.some((x) => x.join !== undefined && x.join.wait !== "all" && x.sends?.some((s) => s.target === name)));
  }
}
