/**
 * The `.rag` sources the scale tests run: `fan` squares each input number through the
 * `work` tool in a send fan-out and sums them at the join (queue, workers-cli,
 * studio-postgres); `ask` pauses at an interrupt (workers-cli, studio-postgres).
 */
export const FAN = `graph fan {
  start split
  input { items: list<number> }
  state { squares: list<number> append  total: number = 0 }
  node split { kind set send [w { n: x } for x in input.items -> squares] join sum }
  node w { kind tool tool "work" }
  node sum { kind set set { total: sum(state.squares) } next END }
}
`;

export const FAN_AND_ASK = `${FAN}graph ask {
  start q
  state { decision: any }
  node q { kind interrupt prompt "go?" writes decision next END }
}
`;
