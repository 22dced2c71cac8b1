/**
 * The `.rag` source the scale CLI tests run (workers-cli, studio-postgres): `fan` squares
 * each input number through the `work` tool in a send fan-out and sums them at the join;
 * `ask` pauses at an interrupt.
 */
export const FAN_AND_ASK = `graph fan {
  start split
  input { items: list<number> }
  state { squares: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
graph ask {
  start q
  state { decision: any }
  node q { kind interrupt prompt "go?" writes decision next END }
}
`;
