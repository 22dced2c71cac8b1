/**
 * The `.rag` concrete-syntax parser (Chevrotain `CstParser`, error recovery on).
 *
 * Each rule's doc comment gives its production (`language.md` §2–3). Keywords are
 * contextual (see tokens.ts), so alternatives that start with a keyword are gated on
 * the tokens after it: `start a` is an item but `start -> a` is an edge from a node
 * called `start`. Unknown items are consumed by the `*Junk` rules as balanced token
 * groups so that one stray word yields one diagnostic, not a cascade.
 *
 * The rules are layered by file: parser-base.ts (configuration, fields, types, values),
 * parser-expr.ts (expressions), parser-graph.ts (program, graph items), parser-node.ts
 * (node items) and this file (recovery rules and self-analysis).
 *
 * Build the parser once and reuse it (`parser.input = tokens`).
 */
import { EOF, type CstNode } from "#chevrotain";
import { RagNodeParser } from "./parser-node.js";

export { REDUCER_WORDS, TYPE_WORDS } from "./parser-base.js";
export { GRAPH_ITEM_WORDS } from "./parser-graph.js";
export { NODE_ITEM_WORDS } from "./parser-node.js";

export class RagParser extends RagNodeParser {
  /** `validate`: also run Chevrotain's grammar validations (tests; see parser-base.ts). */
  constructor(options: { readonly validate?: boolean } = {}) {
    super(options.validate ?? false);
    this.performSelfAnalysis();
  }

  // ─────────────────────────────── junk (recovery) ───────────────────────────────

  /** Tokens that start no top-level item, up to the next `graph`/`agent`/`schema`. */
  public topJunk = this.RULE("topJunk", () => {
    this.SUBRULE(this.junkOrCloser);
    this.MANY({ GATE: () => !this.startsTopItem(), DEF: () => this.SUBRULE2(this.junkOrCloser) });
  });

  /** Tokens that start no graph item, up to the next item or the closing `}`. */
  public graphJunk = this.RULE("graphJunk", () => {
    this.SUBRULE(this.junkUnit);
    this.MANY({ GATE: () => !this.startsGraphItem(), DEF: () => this.SUBRULE2(this.junkUnit) });
  });

  /** Tokens that start no node item, up to the next item or the closing `}`. */
  public nodeJunk = this.RULE("nodeJunk", () => {
    this.SUBRULE(this.junkUnit);
    this.MANY({ GATE: () => !this.startsNodeItem(), DEF: () => this.SUBRULE2(this.junkUnit) });
  });

}

/** The parser is built once per process (its self-analysis is the slow part). */
let shared: RagParser | undefined;
export function ragParser(): RagParser {
  shared ??= new RagParser();
  return shared;
}

export type { CstNode };
export { EOF };
