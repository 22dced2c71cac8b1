/**
 * The `.rag` concrete-syntax parser (Chevrotain `CstParser`, error recovery on).
 *
 * Each rule's doc comment gives its production (`language.md` §2–3). Keywords are
 * contextual (see tokens.ts), so alternatives that start with a keyword are gated on
 * the tokens after it: `start a` is an item but `start -> a` is an edge from a node
 * called `start`. Unknown items are consumed by the `*Junk` rules as balanced token
 * groups so that one stray word yields one diagnostic, not a cascade.
 *
 * Build the parser once and reuse it (`parser.input = tokens`).
 */
import { EOF, tokenMatcher, type CstNode, type IToken, type TokenType } from "#chevrotain";
import { RagExprParser } from "./parser-base.js";
import {
  Arrow,
  Comma,
  Dot,
  DurationLit,
  EndRef,
  False,
  Ident,
  KW,
  LBracket,
  LCurly,
  NumberLit,
  RBracket,
  RCurly,
  Semicolon,
  StartRef,
  StringLit,
  TripleString,
  True,
} from "./tokens.js";


export { REDUCER_WORDS, TYPE_WORDS } from "./parser-base.js";

const GRAPH_ITEM_KEYWORDS = ["start", "state", "channel", "input", "output", "defaults", "metadata", "tags", "allow", "node", "join", "interrupt", "checkpoint", "budget"] as const;
const NODE_ITEM_KEYWORDS = [
  "kind", "model", "agent", "graph", "script", "tool", "route", "system", "prompt", "tools", "sources", "options", "validate",
  "tags", "input", "output", "writes", "set", "next", "routes", "send", "sends", "join", "command", "blocking", "optional",
  "retry", "metadata", "cache", "timeout", "max_steps", "on_error", "checkpoint", "steering", "models", "agents", "graphs",
  "defer", "approve", "budget", "resume", "attach",
] as const;
export const GRAPH_ITEM_WORDS: ReadonlySet<string> = new Set(GRAPH_ITEM_KEYWORDS);
export const NODE_ITEM_WORDS: ReadonlySet<string> = new Set(NODE_ITEM_KEYWORDS);

const is = (t: IToken, type: TokenType) => tokenMatcher(t, type);

export class RagParser extends RagExprParser {
  constructor() {
    super();
    this.performSelfAnalysis();
  }


  // ─────────────── lookahead helpers (used only inside GATEs) ───────────────

  private kw(k: number, word: keyof typeof KW): boolean {
    return is(this.LA(k), KW[word]);
  }

  private notArrowAt2(): boolean {
    return !is(this.LA(2), Arrow);
  }

  /** True when the next tokens begin a graph item other than junk. */
  private startsGraphItem(): boolean {
    const t1 = this.LA(1);
    const t2 = this.LA(2);
    if (is(t2, Arrow) && (is(t1, Ident) || is(t1, StartRef) || is(t1, EndRef))) return true;
    if (!is(t1, Ident)) return false;
    return GRAPH_ITEM_WORDS.has(t1.image) && t1.tokenType !== undefined && t1.tokenType.name === `Kw_${t1.image}`;
  }

  /** True when the next token begins a node item. */
  private startsNodeItem(): boolean {
    const t1 = this.LA(1);
    return NODE_ITEM_WORDS.has(t1.image) && t1.tokenType.name === `Kw_${t1.image}`;
  }

  private atSeparator(): boolean {
    return is(this.LA(1), Comma) || is(this.LA(1), Semicolon);
  }

  private startsTopItem(): boolean {
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

  // ─────────────────────────────── node items ───────────────────────────────

  /** "{" node_item* "}" */
  public nodeBody = this.RULE("nodeBody", () => {
    this.CONSUME(LCurly);
    this.MANY(() =>
      this.OR(this.opts.nodeBody ??= {
        IGNORE_AMBIGUITIES: true,
        MAX_LOOKAHEAD: 1,
        DEF: [{ GATE: () => this.atSeparator(), ALT: () => this.SUBRULE(this.separator) }, { ALT: () => this.SUBRULE(this.nodeItem) }],
      }),
    );
    this.CONSUME(RCurly);
  });

  /** node_item (§2.3): a closed set of keyword-led items. */
  public nodeItem = this.RULE("nodeItem", () => {
    this.OR(this.opts.nodeItem ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { GATE: () => this.kw(1, "kind"), ALT: () => this.SUBRULE(this.kindItem) },
        { GATE: () => this.kw(1, "model") || this.kw(1, "agent") || this.kw(1, "graph") || this.kw(1, "script") || this.kw(1, "tool") || this.kw(1, "route"), ALT: () => this.SUBRULE(this.bindingItem) },
        { GATE: () => this.kw(1, "system") || this.kw(1, "prompt"), ALT: () => this.SUBRULE(this.templateItem) },
        { GATE: () => this.kw(1, "tools") || this.kw(1, "sources") || this.kw(1, "options") || this.kw(1, "validate") || this.kw(1, "tags") || this.kw(1, "models") || this.kw(1, "agents") || this.kw(1, "graphs") || this.kw(1, "approve"), ALT: () => this.SUBRULE(this.listItem) },
        { GATE: () => this.kw(1, "input"), ALT: () => this.SUBRULE(this.inputItem) },
        { GATE: () => this.kw(1, "output"), ALT: () => this.SUBRULE(this.outputItem) },
        { GATE: () => this.kw(1, "writes"), ALT: () => this.SUBRULE(this.writesItem) },
        { GATE: () => this.kw(1, "set"), ALT: () => this.SUBRULE(this.setItem) },
        { GATE: () => this.kw(1, "attach"), ALT: () => this.SUBRULE(this.attachItem) },
        { GATE: () => this.kw(1, "next"), ALT: () => this.SUBRULE(this.nextItem) },
        { GATE: () => this.kw(1, "routes"), ALT: () => this.SUBRULE(this.routesItem) },
        { GATE: () => this.kw(1, "send"), ALT: () => this.SUBRULE(this.sendItem) },
        { GATE: () => this.kw(1, "sends"), ALT: () => this.SUBRULE(this.sendsItem) },
        { GATE: () => this.kw(1, "join"), ALT: () => this.SUBRULE(this.joinItem) },
        { GATE: () => this.kw(1, "command"), ALT: () => this.SUBRULE(this.commandItem) },
        { GATE: () => this.kw(1, "blocking") || this.kw(1, "optional") || this.kw(1, "defer"), ALT: () => this.SUBRULE(this.flagItem) },
        { GATE: () => this.kw(1, "retry") || this.kw(1, "metadata") || this.kw(1, "cache") || this.kw(1, "budget"), ALT: () => this.SUBRULE(this.blockItem) },
        { GATE: () => this.kw(1, "resume"), ALT: () => this.SUBRULE(this.resumeItem) },
        { GATE: () => this.kw(1, "timeout"), ALT: () => this.SUBRULE(this.timeoutItem) },
        { GATE: () => this.kw(1, "max_steps"), ALT: () => this.SUBRULE(this.maxStepsItem) },
        { GATE: () => this.kw(1, "on_error"), ALT: () => this.SUBRULE(this.onErrorItem) },
        { GATE: () => this.kw(1, "checkpoint"), ALT: () => this.SUBRULE(this.checkpointItem) },
        { GATE: () => this.kw(1, "steering"), ALT: () => this.SUBRULE(this.steeringItem) },
        { GATE: () => !this.startsNodeItem() && !this.atSeparator(), ALT: () => this.SUBRULE(this.nodeJunk) },
      ],
    });
  });

  /** "kind" IDENT */
  public kindItem = this.RULE("kindItem", () => {
    this.CONSUME(KW.kind);
    this.CONSUME(Ident, { LABEL: "value" });
  });

  /** ("model" | "agent" | "graph" | "script" | "tool" | "route") STRING */
  public bindingItem = this.RULE("bindingItem", () => {
    this.OR(this.alts.bindingItem ??= [
      { ALT: () => this.CONSUME(KW.model, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.agent, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.graph, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.script, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.tool, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.route, { LABEL: "keyword" }) },
    ]);
    this.CONSUME(StringLit, { LABEL: "value" });
  });

  /** ("system" | "prompt") TEMPLATE */
  public templateItem = this.RULE("templateItem", () => {
    this.OR(this.alts.templateItem ??= [{ ALT: () => this.CONSUME(KW.system, { LABEL: "keyword" }) }, { ALT: () => this.CONSUME(KW.prompt, { LABEL: "keyword" }) }]);
    this.SUBRULE(this.stringValue);
  });

  /** STRING | """STRING""" */
  public stringValue = this.RULE("stringValue", () => {
    this.OR(this.alts.stringValue ??= [{ ALT: () => this.CONSUME(StringLit) }, { ALT: () => this.CONSUME(TripleString) }]);
  });

  /** ("tools" | "sources" | "options" | "validate" | "tags" | "models" | "agents" | "graphs" | "approve") list */
  public listItem = this.RULE("listItem", () => {
    this.OR(this.alts.listItem ??= [
      { ALT: () => this.CONSUME(KW.tools, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.sources, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.options, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.validate, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.tags, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.models, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.agents, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.graphs, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.approve, { LABEL: "keyword" }) },
    ]);
    this.SUBRULE(this.valueList);
  });

  /** "input" (STRING | expr_map) */
  public inputItem = this.RULE("inputItem", () => {
    this.CONSUME(KW.input);
    this.OR(this.alts.inputItem ??= [{ ALT: () => this.CONSUME(StringLit) }, { ALT: () => this.SUBRULE(this.exprMap) }]);
  });

  /** "output" ("{" field* "}" | IDENT) */
  public outputItem = this.RULE("outputItem", () => {
    this.CONSUME(KW.output);
    this.OR(this.alts.outputItem ??= [{ ALT: () => this.SUBRULE(this.fieldBlock) }, { ALT: () => this.CONSUME(Ident, { LABEL: "schema" }) }]);
  });

  /** "resume" ("{" field* "}" | IDENT): the typed answer an interrupt node accepts */
  public resumeItem = this.RULE("resumeItem", () => {
    this.CONSUME(KW.resume);
    this.OR(this.alts.resumeItem ??= [{ ALT: () => this.SUBRULE(this.fieldBlock) }, { ALT: () => this.CONSUME(Ident, { LABEL: "schema" }) }]);
  });

  /** "writes" (IDENT | expr_map) */
  public writesItem = this.RULE("writesItem", () => {
    this.CONSUME(KW.writes);
    this.OR(this.alts.writesItem ??= [{ ALT: () => this.CONSUME(Ident, { LABEL: "channel" }) }, { ALT: () => this.SUBRULE(this.exprMap) }]);
  });

  /** "set" expr_map */
  public setItem = this.RULE("setItem", () => {
    this.CONSUME(KW.set);
    this.SUBRULE(this.exprMap);
  });

  /** "attach" expr_map  (`attach { image: state.photo, file: state.pdf }`) */
  public attachItem = this.RULE("attachItem", () => {
    this.CONSUME(KW.attach);
    this.SUBRULE(this.exprMap);
  });

  /** "next" (node_ref | "[" node_ref (","? node_ref)* "]") */
  public nextItem = this.RULE("nextItem", () => {
    this.CONSUME(KW.next);
    this.OR(this.alts.nextItem ??= [
      { ALT: () => this.SUBRULE(this.nodeRef) },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.MANY(() => {
            this.SUBRULE2(this.nodeRef);
            this.OPTION(() => this.CONSUME(Comma));
          });
          this.CONSUME(RBracket);
        },
      },
    ]);
  });

  /** "routes" "{" route* "}" */
  public routesItem = this.RULE("routesItem", () => {
    this.CONSUME(KW.routes);
    this.CONSUME(LCurly);
    this.MANY(() => {
      this.SUBRULE(this.route);
      this.OPTION(() => this.OR(this.alts.routesItem ??= [{ ALT: () => this.CONSUME(Comma) }, { ALT: () => this.CONSUME(Semicolon) }]));
    });
    this.CONSUME(RCurly);
  });

  /** route = "else" "->" node_ref | "when" expr "->" node_ref | IDENT "->" node_ref */
  public route = this.RULE("route", () => {
    this.OR(this.opts.route ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { GATE: () => this.kw(1, "else") && is(this.LA(2), Arrow), ALT: () => this.CONSUME(KW.else) },
        { GATE: () => this.kw(1, "when") && !is(this.LA(2), Arrow), ALT: () => { this.CONSUME(KW.when); this.SUBRULE(this.expr); } },
        { ALT: () => this.CONSUME(Ident, { LABEL: "label" }) },
      ],
    });
    this.CONSUME(Arrow);
    this.SUBRULE(this.nodeRef);
  });

  /** "send" "[" send_item (","? send_item)* "]" ("concurrency" INTEGER)? */
  public sendItem = this.RULE("sendItem", () => {
    this.CONSUME(KW.send);
    this.CONSUME(LBracket);
    this.MANY(() => {
      this.SUBRULE(this.sendTarget);
      this.OPTION(() => this.CONSUME(Comma));
    });
    this.CONSUME(RBracket);
    this.OPTION2(() => {
      this.CONSUME(KW.concurrency);
      this.CONSUME(NumberLit, { LABEL: "concurrency" });
    });
  });

  /**
   * send_item = IDENT (expr_map | STRING)? ("for" IDENT "in" expr)? ("->" IDENT)?
   * A STRING is the reference input mapping (`sends [send x "in"]` → `send [x "in"]`).
   */
  public sendTarget = this.RULE("sendTarget", () => {
    this.CONSUME(Ident, { LABEL: "target" });
    this.OPTION(() => this.OR([{ ALT: () => this.SUBRULE(this.exprMap) }, { ALT: () => this.CONSUME(StringLit, { LABEL: "input" }) }]));
    this.OPTION2(() => {
      this.CONSUME(KW.for);
      this.CONSUME2(Ident, { LABEL: "variable" });
      this.CONSUME(KW.in);
      this.SUBRULE(this.expr);
    });
    this.OPTION3(() => {
      this.CONSUME(Arrow);
      this.CONSUME3(Ident, { LABEL: "into" });
    });
  });

  /** "sends" "[" ("send" IDENT STRING? ","?)* "]" (reference spelling) */
  public sendsItem = this.RULE("sendsItem", () => {
    this.CONSUME(KW.sends);
    this.CONSUME(LBracket);
    this.MANY(() => this.SUBRULE(this.refSend));
    this.CONSUME(RBracket);
  });

  /** "send" IDENT STRING? ","? */
  public refSend = this.RULE("refSend", () => {
    this.CONSUME(KW.send);
    this.CONSUME(Ident, { LABEL: "target" });
    this.OPTION(() => this.CONSUME(StringLit, { LABEL: "input" }));
    this.OPTION2(() => this.CONSUME(Comma));
  });

  /** "join" node_ref ("wait" ("all" | "first" | INTEGER))? */
  public joinItem = this.RULE("joinItem", () => {
    this.CONSUME(KW.join);
    this.SUBRULE(this.nodeRef);
    this.OPTION(() => {
      this.CONSUME(KW.wait);
      this.OR(this.alts.joinItem ??= [{ ALT: () => this.CONSUME(Ident, { LABEL: "policy" }) }, { ALT: () => this.CONSUME(NumberLit, { LABEL: "count" }) }]);
    });
  });

  /** "command" "{" ("goto" ("parent" ".")? node_ref | "update" expr_map)* "}"  (optional `,`/`;` between the parts, §1) */
  public commandItem = this.RULE("commandItem", () => {
    this.CONSUME(KW.command);
    this.CONSUME(LCurly);
    this.MANY(() =>
      this.OR(this.alts.commandItem ??= [
        { ALT: () => {
          this.CONSUME(KW.goto);
          // `goto parent.NODE`: a node of the graph that runs this one as a subgraph
          this.OPTION({ GATE: () => this.kw(1, "parent") && is(this.LA(2), Dot), DEF: () => { this.CONSUME(KW.parent); this.CONSUME(Dot); } });
          this.SUBRULE(this.nodeRef);
        } },
        { ALT: () => { this.CONSUME(KW.update); this.SUBRULE(this.exprMap); } },
        { ALT: () => this.SUBRULE(this.separator) },
      ]),
    );
    this.CONSUME(RCurly);
  });

  /** ("blocking" | "optional" | "defer") BOOL? */
  public flagItem = this.RULE("flagItem", () => {
    this.OR(this.alts.flagItem ??= [{ ALT: () => this.CONSUME(KW.blocking, { LABEL: "keyword" }) }, { ALT: () => this.CONSUME(KW.optional, { LABEL: "keyword" }) }, { ALT: () => this.CONSUME(KW.defer, { LABEL: "keyword" }) }]);
    this.OPTION(() => this.OR2(this.alts.flagItem2 ??= [{ ALT: () => this.CONSUME(True) }, { ALT: () => this.CONSUME(False) }]));
  });

  /** ("retry" | "metadata" | "budget") block | "cache" (BOOL | block) */
  public blockItem = this.RULE("blockItem", () => {
    this.OR(this.alts.blockItem ??= [
      { ALT: () => this.CONSUME(KW.retry, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.metadata, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.cache, { LABEL: "keyword" }) },
      { ALT: () => this.CONSUME(KW.budget, { LABEL: "keyword" }) },
    ]);
    this.OR2(this.alts.blockItem2 ??= [{ ALT: () => this.SUBRULE(this.block) }, { ALT: () => this.CONSUME(True) }, { ALT: () => this.CONSUME(False) }]);
  });

  /** "timeout" (DURATION | NUMBER | STRING) */
  public timeoutItem = this.RULE("timeoutItem", () => {
    this.CONSUME(KW.timeout);
    this.OR(this.alts.timeoutItem ??= [{ ALT: () => this.CONSUME(DurationLit) }, { ALT: () => this.CONSUME(NumberLit) }, { ALT: () => this.CONSUME(StringLit) }]);
  });

  /** "max_steps" INTEGER */
  public maxStepsItem = this.RULE("maxStepsItem", () => {
    this.CONSUME(KW.max_steps);
    this.CONSUME(NumberLit);
  });

  /** "on_error" "->"? node_ref */
  public onErrorItem = this.RULE("onErrorItem", () => {
    this.CONSUME(KW.on_error);
    this.OPTION(() => this.CONSUME(Arrow));
    this.SUBRULE(this.nodeRef);
  });

  /** "checkpoint" IDENT */
  public checkpointItem = this.RULE("checkpointItem", () => {
    this.CONSUME(KW.checkpoint);
    this.CONSUME(Ident, { LABEL: "value" });
  });

  /** "steering" "{" (("parent" | "human") "allow" list | "delivery" STRING)* "}" */
  public steeringItem = this.RULE("steeringItem", () => {
    this.CONSUME(KW.steering);
    this.CONSUME(LCurly);
    this.MANY(() => {
      this.SUBRULE(this.steeringEntry);
      this.OPTION(() => this.SUBRULE(this.separator));
    });
    this.CONSUME(RCurly);
  });

  public steeringEntry = this.RULE("steeringEntry", () => {
    this.OR(this.alts.steeringEntry ??= [
      {
        ALT: () => {
          this.OR2(this.alts.steeringEntry2 ??= [{ ALT: () => this.CONSUME(KW.parent, { LABEL: "who" }) }, { ALT: () => this.CONSUME(KW.human, { LABEL: "who" }) }]);
          this.CONSUME(KW.allow);
          this.SUBRULE(this.valueList);
        },
      },
      { ALT: () => { this.CONSUME(KW.delivery, { LABEL: "who" }); this.CONSUME(StringLit); } },
    ]);
  });

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
