/**
 * The `.rag` sources the studio's browser tests (e2e.test.ts) write into the workspace:
 * a typed interrupt, a tool gate, nested input types, a subgraph that pauses two child
 * runs down with markup in its state, and a run that waits on a held model call.
 */
export const TYPED = `graph typed {
  start ask

  input {
    rounds: number
  }

  state {
    decision: any
  }

  node ask {
    kind interrupt
    prompt "Rate the draft"
    resume { score: number, note: string?, urgent: boolean }
    writes decision
    next END
  }
}
`;
/** A run that fails in its first superstep when its input `v` is not a number (a write the field's type refuses). */
export const FAILING = `graph failing {
  start check

  input {
    v: any
  }

  state {
    n: number
  }

  node check {
    kind set
    set { n: input.v }
    next END
  }
}
`;
export const TOOLGATE = `graph toolgate {
  start t

  state {
    notes: any
  }

  node t {
    kind tool
    tool "search"
    input { query: "alpha" }
    approve ["search"]
    writes notes
    next END
  }
}
`;
export const ORDER = `graph order {
  start done

  input {
    customer: { name: string, vip: boolean? }
    lines: list<{ sku: string, qty: integer }>
    tags: list<string>?
  }

  state {
    customer: any
    lines: any
    tags: any
  }

  node done {
    kind set
    set { tags: ["seen"] }
    next END
  }
}
`;
/**
 * parent → executor (subgraph middle: m0 → inner (subgraph leaf: step_a → ask ⏸)): a run
 * paused two child runs down. The leaf's state holds markup that must stay text.
 */
export const HOSTILE = "<img src=x onerror=window.__xss=1>";
export const SUBFLOW = `graph parent {
  start prep
  state { log: list<string> append }
  node prep { kind set set { log: "prepped" } next executor }
  node executor { kind subgraph graph "middle" input { } writes { log: result.log } next END }
}
graph middle {
  start m0
  state { log: list<string> append }
  output { log: list<string> }
  node m0 { kind set set { log: "in the middle" } next inner }
  node inner { kind subgraph graph "leaf" input { } writes { log: result.log } next END }
}
graph leaf {
  start step_a
  state { log: list<string> append  answer: any }
  output { log: list<string> }
  node step_a { kind set set { log: "${HOSTILE}" } next ask }
  node ask { kind interrupt prompt "Proceed?" options ["yes", "no"] writes answer routes { yes -> step_b  no -> END } }
  node step_b { kind set set { log: "b" } next END }
}
`;
/** A run that waits in superstep 2, on node b's call to the model `held` (a test registers it, and holds its calls). */
export const SLOW = `graph slow {
  start a
  state { x: number = 0  out: string? }
  node a { kind set set { x: 1 } next b }
  node b { kind model model "held" prompt "Say hi" writes out next c }
  node c { kind set set { x: 2 } next END }
}
`;
