/**
 * A budgeted loop that pauses after every model call (`interrupt after [a]`): each resume
 * runs one more call, so a test can spend a thread's budget across pauses, processes and
 * forks. The budget is 1,000 tokens; the loop ends itself only after 100 turns.
 */
export const PAUSING_BUDGET_LOOP = `graph g {
  start a
  budget { tokens: 1000 }
  state { out: any  n: number = 0 }
  interrupt after [a]
  node a { model "m" prompt "p" writes out next b }
  node b { kind set set { n: state.n + 1 } routes { when state.n >= 100 -> END else -> a } }
}`;
