/**
 * A two-graph `.rag` source whose subgraph pauses on an interrupt, shared by the tests of
 * subgraph state by namespace through the CLI (test/cli/runs-subgraphs.test.ts) and the
 * HTTP API (test/server/api.test.ts).
 */
/** parent: prep → executor (subgraph executor_graph: step_a → ask ⏸ → step_b). */
export const NESTED = `graph parent {
  start prep
  state { log: list<string> append }
  node prep { kind set set { log: "prepped" } next executor }
  node executor { kind subgraph graph "executor_graph" input { } writes { log: result.log } next END }
}
graph executor_graph {
  start step_a
  state { log: list<string> append  answer: any }
  output { log: list<string> }
  node step_a { kind set set { log: "a" } next ask }
  node ask { kind interrupt prompt "Proceed?" options ["yes", "no"] writes answer routes { yes -> step_b  no -> END } }
  node step_b { kind set set { log: "b" } next END }
}
`;
