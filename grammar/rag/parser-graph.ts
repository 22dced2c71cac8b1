/**
 * The program and graph-item rules of the `.rag` parser (`language.md` §2.1): top-level
 * declarations, graph items, edges and node references. Extends parser-expr.ts; extended
 * by parser-node.ts. Keywords are contextual (see tokens.ts), so alternatives that start
 * with a keyword are gated on the tokens after it: `start a` is an item but
 * `start -> a` is an edge from a node called `start`.
 */
import { tokenMatcher, type CstNode, type IToken, type ParserMethod, type TokenType } from "#chevrotain";
import { RagExprParser } from "./parser-expr.js";
import {
  Arrow,
  Comma,
  EndRef,
  Ident,
  KW,
  LBracket,
  LCurly,
  RBracket,
  RCurly,
  StartRef,
  StringLit,
} from "./tokens.js";
import { GRAPH_ITEM_WORDS } from "./words.js";

export { GRAPH_ITEM_WORDS };

const is = (t: IToken, type: TokenType) => tokenMatcher(t, type);

export abstract class RagGraphParser extends RagExprParser {
  // Rules defined by the layers above (recorded before self-analysis, so forward references are fine).
  protected abstract readonly nodeBody: ParserMethod<[], CstNode>;
  protected abstract readonly routesItem: ParserMethod<[], CstNode>;
  protected abstract readonly topJunk: ParserMethod<[], CstNode>;
  protected abstract readonly graphJunk: ParserMethod<[], CstNode>;

  // ─────────────── lookahead helpers (used only inside GATEs) ───────────────

  protected notArrowAt2(): boolean {
    return !is(this.LA(2), Arrow);
  }

  /** True when the next tokens begin a graph item other than junk. */
  protected startsGraphItem(): boolean {
    const t1 = this.LA(1);
    const t2 = this.LA(2);
    if (is(t2, Arrow) && (is(t1, Ident) || is(t1, StartRef) || is(t1, EndRef))) return true;
    if (!is(t1, Ident)) return false;
    return GRAPH_ITEM_WORDS.has(t1.image) && t1.tokenType !== undefined && t1.tokenType.name === `Kw_${t1.image}`;
  }

  protected startsTopItem(): boolean {
    return this.kw(1, "graph") || this.kw(1, "agent") || this.kw(1, "schema");
  }


  // ─────────────────────────────── top level ───────────────────────────────

  /** program = (graph_decl | agent_decl | schema_decl)* */
  public program = this.RULE("program", () => {
    this.MANY(() => {
      this.OR(this.opts.program ??= {
        IGNORE_AMBIGUITIES: true,
        MAX_LOOKAHEAD: 1,
        DEF: [
          { GATE: () => this.kw(1, "graph"), ALT: () => this.SUBRULE(this.graphDecl) },
          { GATE: () => this.kw(1, "agent"), ALT: () => this.SUBRULE(this.agentDecl) },
          { GATE: () => this.kw(1, "schema"), ALT: () => this.SUBRULE(this.schemaDecl) },
          { GATE: () => !this.startsTopItem() && !this.atSeparator(), ALT: () => this.SUBRULE(this.topJunk) },
          { GATE: () => this.atSeparator(), ALT: () => this.SUBRULE(this.separator) },
        ],
      });
    });
  });

  /** graph_decl = "graph" IDENT "{" graph_item* "}" */
  public graphDecl = this.RULE("graphDecl", () => {
    this.CONSUME(KW.graph);
    this.CONSUME(Ident, { LABEL: "name" });
    this.CONSUME(LCurly);
    this.MANY(() =>
      this.OR(this.opts.graphDecl ??= {
        IGNORE_AMBIGUITIES: true,
        MAX_LOOKAHEAD: 1,
        DEF: [{ GATE: () => this.atSeparator(), ALT: () => this.SUBRULE(this.separator) }, { ALT: () => this.SUBRULE(this.graphItem) }],
      }),
    );
    this.CONSUME(RCurly);
  });

  /** agent_decl = "agent" IDENT "{" node_item* "}" */
  public agentDecl = this.RULE("agentDecl", () => {
    this.CONSUME(KW.agent);
    this.CONSUME(Ident, { LABEL: "name" });
    this.SUBRULE(this.nodeBody);
  });

  /** schema_decl = "schema" IDENT "{" field* "}" */
  public schemaDecl = this.RULE("schemaDecl", () => {
    this.CONSUME(KW.schema);
    this.CONSUME(Ident, { LABEL: "name" });
    this.SUBRULE(this.fieldBlock);
  });

  // ─────────────────────────────── graph items ───────────────────────────────

  /** graph_item (§2.1) */
  public graphItem = this.RULE("graphItem", () => {
    this.OR(this.opts.graphItem ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { GATE: () => this.kw(1, "start") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.startItem) },
        { GATE: () => this.kw(1, "state") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.stateItem) },
        { GATE: () => this.kw(1, "channel") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.channelItem) },
        { GATE: () => (this.kw(1, "input") || this.kw(1, "output")) && this.notArrowAt2(), ALT: () => this.SUBRULE(this.ioItem) },
        { GATE: () => (this.kw(1, "defaults") || this.kw(1, "metadata") || this.kw(1, "budget")) && this.notArrowAt2(), ALT: () => this.SUBRULE(this.configItem) },
        { GATE: () => this.kw(1, "tags") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.tagsItem) },
        { GATE: () => this.kw(1, "allow") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.allowItem) },
        { GATE: () => this.kw(1, "node") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.nodeDecl) },
        { GATE: () => this.kw(1, "join") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.joinEdgeItem) },
        { GATE: () => this.kw(1, "interrupt") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.interruptItem) },
        { GATE: () => this.kw(1, "checkpoint") && this.notArrowAt2(), ALT: () => this.SUBRULE(this.checkpointPolicyItem) },
        { GATE: () => is(this.LA(2), Arrow), ALT: () => this.SUBRULE(this.edgeItem) },
        { GATE: () => !this.startsGraphItem() && !this.atSeparator(), ALT: () => this.SUBRULE(this.graphJunk) },
      ],
    });
  });

  /** "start" (IDENT | routes_item) — `start routes { when … -> a  else -> b }` is a conditional entry */
  public startItem = this.RULE("startItem", () => {
    this.CONSUME(KW.start);
    this.OR(this.opts.startItem ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { GATE: () => this.kw(1, "routes") && is(this.LA(2), LCurly), ALT: () => this.SUBRULE(this.routesItem) },
        { ALT: () => this.CONSUME(Ident, { LABEL: "target" }) },
      ],
    });
  });

  /** "state" IDENT? "{" field* "}" */
  public stateItem = this.RULE("stateItem", () => {
    this.CONSUME(KW.state);
    this.OPTION(() => this.CONSUME(Ident, { LABEL: "name" }));
    this.SUBRULE(this.fieldBlock);
  });

  /** "channel" IDENT reducer arg* (a missing reducer is reported by the compiler, `E-rag-missing-reducer`) */
  public channelItem = this.RULE("channelItem", () => {
    this.CONSUME(KW.channel);
    this.CONSUME(Ident, { LABEL: "name" });
    this.OPTION({ GATE: () => !this.startsGraphItem(), DEF: () => this.SUBRULE(this.reducerSpec) });
  });

  /** ("input" | "output") "{" field* "}" */
  public ioItem = this.RULE("ioItem", () => {
    this.OR(this.alts.ioItem ??= [{ ALT: () => this.CONSUME(KW.input, { LABEL: "keyword" }) }, { ALT: () => this.CONSUME(KW.output, { LABEL: "keyword" }) }]);
    this.SUBRULE(this.fieldBlock);
  });

  /** ("defaults" | "metadata" | "budget") block */
  public configItem = this.RULE("configItem", () => {
    this.OR(this.alts.configItem ??= [
      { ALT: () => this.CONSUME(KW.defaults, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.metadata, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.budget, { LABEL: "keyword" }) },
    ]);
    this.SUBRULE(this.block);
  });

  /** "tags" list */
  public tagsItem = this.RULE("tagsItem", () => {
    this.CONSUME(KW.tags);
    this.SUBRULE(this.valueList);
  });

  /** "allow" CAP_KIND list */
  public allowItem = this.RULE("allowItem", () => {
    this.CONSUME(KW.allow);
    this.CONSUME(Ident, { LABEL: "capability" });
    this.SUBRULE(this.valueList);
  });

  /** "node" IDENT "{" node_item* "}" */
  public nodeDecl = this.RULE("nodeDecl", () => {
    this.CONSUME(KW.node);
    this.CONSUME(Ident, { LABEL: "name" });
    this.SUBRULE(this.nodeBody);
  });

  /** "join" "[" IDENT ("," IDENT)* "]" "->" node_ref */
  public joinEdgeItem = this.RULE("joinEdgeItem", () => {
    this.CONSUME(KW.join);
    this.SUBRULE(this.nameList);
    this.CONSUME(Arrow);
    this.SUBRULE(this.nodeRef);
  });

  /** "interrupt" ("before" | "after") list | "interrupt" IDENT */
  public interruptItem = this.RULE("interruptItem", () => {
    this.CONSUME(KW.interrupt);
    this.OR(this.opts.interruptItem ??= {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => (this.kw(1, "before") || this.kw(1, "after")) && is(this.LA(2), LBracket), ALT: () => {
          this.OR2(this.alts.interruptItem2 ??= [{ ALT: () => this.CONSUME(KW.before, { LABEL: "when" }) }, { ALT: () => this.CONSUME(KW.after, { LABEL: "when" }) }]);
          this.SUBRULE(this.nameList);
        } },
        { ALT: () => this.CONSUME(Ident, { LABEL: "policy" }) },
      ],
    });
  });

  /** "checkpoint" IDENT */
  public checkpointPolicyItem = this.RULE("checkpointPolicyItem", () => {
    this.CONSUME(KW.checkpoint);
    this.CONSUME(Ident, { LABEL: "policy" });
  });

  /** node_ref "->" node_ref ("->" node_ref)* */
  public edgeItem = this.RULE("edgeItem", () => {
    this.SUBRULE(this.nodeRef);
    this.AT_LEAST_ONE(() => {
      this.CONSUME(Arrow);
      this.SUBRULE2(this.nodeRef);
    });
  });

  /** node_ref = IDENT | "END" | "START" */
  public nodeRef = this.RULE("nodeRef", () => {
    this.OR(this.alts.nodeRef ??= [{ ALT: () => this.CONSUME(Ident) }, { ALT: () => this.CONSUME(EndRef) }, { ALT: () => this.CONSUME(StartRef) }]);
  });

  /** "[" (IDENT | STRING) (","? (IDENT | STRING))* "]"  (a quoted name is accepted, as in `tools` lists) */
  public nameList = this.RULE("nameList", () => {
    this.CONSUME(LBracket);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(Ident, { LABEL: "names" }) }, { ALT: () => this.CONSUME(StringLit, { LABEL: "names" }) }]);
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RBracket);
  });

}
