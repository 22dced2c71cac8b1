/**
 * The node-item rules of the `.rag` parser (`language.md` §2.3): the closed set of
 * keyword-led items inside `node NAME { … }` and `agent NAME { … }`. Extends
 * parser-graph.ts; extended by parser.ts.
 */
import { tokenMatcher, type CstNode, type IToken, type ParserMethod, type TokenType } from "#chevrotain";
import { RagGraphParser } from "./parser-graph.js";
import {
  Arrow,
  Comma,
  Dot,
  DurationLit,
  False,
  Ident,
  KW,
  LBracket,
  LCurly,
  NumberLit,
  RBracket,
  RCurly,
  Semicolon,
  StringLit,
  TripleString,
  True,
} from "./tokens.js";
import { NODE_ITEM_WORDS } from "./words.js";

export { NODE_ITEM_WORDS };

const is = (t: IToken, type: TokenType) => tokenMatcher(t, type);

export abstract class RagNodeParser extends RagGraphParser {
  // Defined by parser.ts (recorded before self-analysis, so the forward reference is fine).
  protected abstract readonly nodeJunk: ParserMethod<[], CstNode>;

  /** True when the next token begins a node item. */
  protected startsNodeItem(): boolean {
    const t1 = this.LA(1);
    return NODE_ITEM_WORDS.has(t1.image) && t1.tokenType.name === `Kw_${t1.image}`;
  }

  // ─────────────────────────────── node items ───────────────────────────────

  /**
   * True at `node NAME {`: a node declaration cannot be a node item, so a body that meets
   * one ends there — its `}` was forgotten — and the declaration is parsed as the graph's
   * next node (one "not closed" error instead of a cascade: the new node reported as a
   * bad item, its name as an unknown `next` target, and the graph's own `}` as missing).
   */
  protected startsNodeDecl(): boolean {
    return this.kw(1, "node") && tokenMatcher(this.LA(2), Ident) && tokenMatcher(this.LA(3), LCurly);
  }

  /** "{" node_item* "}" */
  public nodeBody = this.RULE("nodeBody", () => {
    this.CONSUME(LCurly);
    this.MANY({ GATE: () => !this.startsNodeDecl(), DEF: () =>
      this.OR(this.opts.nodeBody ??= {
        IGNORE_AMBIGUITIES: true,
        MAX_LOOKAHEAD: 1,
        DEF: [{ GATE: () => this.atSeparator(), ALT: () => this.SUBRULE(this.separator) }, { ALT: () => this.SUBRULE(this.nodeItem) }],
      }),
    });
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
        { GATE: () => this.kw(1, "blocking") || this.kw(1, "optional") || this.kw(1, "defer") || this.kw(1, "persistent"), ALT: () => this.SUBRULE(this.flagItem) },
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

  /** ("blocking" | "optional" | "defer" | "persistent") BOOL? */
  public flagItem = this.RULE("flagItem", () => {
    this.OR(this.alts.flagItem ??= [{ ALT: () => this.CONSUME(KW.blocking, { LABEL: "keyword" }) }, { ALT: () => this.CONSUME(KW.optional, { LABEL: "keyword" }) }, { ALT: () => this.CONSUME(KW.defer, { LABEL: "keyword" }) }, { ALT: () => this.CONSUME(KW.persistent, { LABEL: "keyword" }) }]);
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
}
