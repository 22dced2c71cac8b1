/**
 * The fast path of `parseRag` (parse.ts): a hand-written recursive-descent parser that
 * builds the AST (ast.ts) straight from the source text, for well-formed input only.
 *
 * It builds exactly what the Chevrotain path (lexer.ts → parser*.ts → build-*.ts) builds
 * for the same text — the same nodes, spans and comments — and takes the same decision at
 * every choice point: keywords are contextual, and where that parser looks two tokens
 * ahead or consults a gate (`start -> a` is an edge, `start a` an item; a reducer word
 * followed by `:` is the next field) this one does the same. Whenever the Chevrotain path
 * would report anything (a lexical, syntax or build diagnostic), or the input uses a
 * construct this parser does not handle, or it is merely unsure, it returns `undefined`
 * and parse.ts falls back to the Chevrotain path, which produces the diagnostics. So the
 * fast path never changes a result; it only skips the CST and Chevrotain's machinery
 * (and, when it succeeds, Chevrotain's ~170 ms parser construction in a fresh process).
 * test/grammar/fast-parse.test.ts checks the equivalence differentially.
 *
 * Not handled (bails): junk and recovery of every kind, `/…/` string patterns in types,
 * a channel without a reducer, `command` with more than one `goto` or `update`, templates
 * inside interpolations, comments inside interpolations, names that are operator words
 * (`for`, `not`, `if`) in expressions. Never imports Chevrotain.
 */
import type { LineIndex } from "../span.js";
import type * as A from "./ast.js";
import { BAIL, bail } from "./fast-expr.js";
import { fastScan, K, T } from "./fast-scan.js";
import { FastValueParser } from "./fast-values.js";
import type { FrontEndLimits } from "./limits.js";

/**
 * Parses well-formed `.rag` source into the AST the Chevrotain path would build, or
 * returns `undefined` when that path must run (any diagnostic, anything unusual). The
 * caller has already checked `limits.sourceSize`. Never throws for any input (a stack
 * overflow bails too).
 */
export function fastParseRag(source: string, lines: LineIndex, limits: FrontEndLimits): A.Program | undefined {
  try {
    const tokens = fastScan(source, { nestingDepth: limits.nestingDepth, stringLength: limits.stringLength });
    if (!tokens) return undefined;
    const items = new FastParser(source, tokens, lines, limits).program();
    return { kind: "Program", items, comments: tokens.comments, span: lines.span(0, source.length) };
  } catch (e) {
    if (e === BAIL || e instanceof RangeError) return undefined;
    throw e;
  }
}

class FastParser extends FastValueParser {
  // ─────────────────────────────── top level ───────────────────────────────

  /** program = (graph_decl | agent_decl | schema_decl | "," | ";")* */
  program(): A.TopItem[] {
    const items: A.TopItem[] = [];
    for (;;) {
      const k = this.kinds[this.p];
      if (k === T.EOF) return items;
      if (k === T.Comma || k === T.Semicolon) {
        this.p++;
        continue;
      }
      if (k !== T.Word) bail();
      const w = this.kw[this.p];
      if (w === K.graph) items.push(this.graphDecl());
      else if (w === K.agent) {
        const kw = this.p++;
        const name = this.ident();
        const body = this.nodeBody();
        items.push({ kind: "AgentDecl", keyword: this.identAt(kw), name, items: body, span: this.from(kw, this.p - 1) });
      } else if (w === K.schema) {
        const kw = this.p++;
        const name = this.ident();
        const fields = this.fieldBlock();
        items.push({ kind: "SchemaDecl", keyword: this.identAt(kw), name, fields, span: this.from(kw, this.p - 1) });
      } else bail();
    }
  }

  private graphDecl(): A.GraphDecl {
    const kw = this.p++;
    const name = this.ident();
    this.eat(T.LCurly);
    const items: A.GraphItem[] = [];
    for (;;) {
      const k = this.kinds[this.p];
      if (k === T.RCurly) break;
      if (k === T.Comma || k === T.Semicolon) {
        this.p++;
        continue;
      }
      items.push(this.graphItem());
    }
    const close = this.p++;
    return { kind: "GraphDecl", keyword: this.identAt(kw), name, items, span: this.from(kw, close) };
  }

  // ─────────────────────────────── graph items ───────────────────────────────

  private graphItem(): A.GraphItem {
    const at = this.p;
    const k = this.kinds[at];
    const arrowNext = this.kinds[at + 1] === T.Arrow;
    if (k === T.Word && !arrowNext) {
      switch (this.kw[at]) {
        case K.start: {
          this.p++;
          if (this.isKw(this.p, K.routes) && this.kinds[this.p + 1] === T.LCurly) {
            const routes = this.routesItem();
            return { kind: "StartItem", keyword: this.identAt(at), routes, span: this.from(at, this.p - 1) };
          }
          const target = this.ident();
          return { kind: "StartItem", keyword: this.identAt(at), target, span: this.from(at, this.p - 1) };
        }
        case K.state: {
          this.p++;
          const name = this.kinds[this.p] === T.Word ? this.ident() : undefined;
          const fields = this.fieldBlock();
          const span = this.from(at, this.p - 1);
          return name ? { kind: "StateItem", keyword: this.identAt(at), name, fields, span } : { kind: "StateItem", keyword: this.identAt(at), fields, span };
        }
        case K.channel: {
          this.p++;
          const name = this.ident();
          // the reducer is optional only when the next graph item follows: leave that to the Chevrotain path
          if (this.kinds[this.p] !== T.Word || this.startsGraphItem()) bail();
          const reducer = this.reducerSpec();
          return { kind: "ChannelItem", keyword: this.identAt(at), name, reducer, span: this.from(at, this.p - 1) };
        }
        case K.input:
        case K.output: {
          this.p++;
          const fields = this.fieldBlock();
          return { kind: "IoItem", keyword: this.identAt(at), direction: this.kw[at] === K.output ? "output" : "input", fields, span: this.from(at, this.p - 1) };
        }
        case K.defaults:
        case K.metadata:
        case K.budget: {
          this.p++;
          const value = this.block();
          const w = this.kw[at];
          return { kind: "ConfigItem", keyword: this.identAt(at), config: w === K.metadata ? "metadata" : w === K.budget ? "budget" : "defaults", value, span: this.from(at, this.p - 1) };
        }
        case K.tags: {
          this.p++;
          const value = this.valueList();
          return { kind: "TagsItem", keyword: this.identAt(at), value, span: this.from(at, this.p - 1) };
        }
        case K.allow: {
          this.p++;
          const capability = this.ident();
          const value = this.valueList();
          return { kind: "AllowItem", keyword: this.identAt(at), capability, value, span: this.from(at, this.p - 1) };
        }
        case K.node: {
          this.p++;
          const name = this.ident();
          const items = this.nodeBody();
          return { kind: "NodeDecl", keyword: this.identAt(at), name, items, span: this.from(at, this.p - 1) };
        }
        case K.join: {
          this.p++;
          const sources = this.nameList();
          this.eat(T.Arrow);
          const target = this.nodeRef();
          return { kind: "JoinEdgeItem", keyword: this.identAt(at), sources, target, span: this.from(at, this.p - 1) };
        }
        case K.interrupt: {
          this.p++;
          const w = this.kw[this.p];
          if (this.kinds[this.p] === T.Word && (w === K.before || w === K.after) && this.kinds[this.p + 1] === T.LBracket) {
            this.p++;
            const nodes = this.nameList();
            return { kind: "InterruptAroundItem", keyword: this.identAt(at), when: w === K.after ? "after" : "before", nodes, span: this.from(at, this.p - 1) };
          }
          const value = this.ident();
          return { kind: "PolicyItem", keyword: this.identAt(at), policy: "interrupt", value, span: this.from(at, this.p - 1) };
        }
        case K.checkpoint: {
          this.p++;
          const value = this.ident();
          return { kind: "PolicyItem", keyword: this.identAt(at), policy: "checkpoint", value, span: this.from(at, this.p - 1) };
        }
      }
    }
    if (arrowNext && (k === T.Word || k === T.Start || k === T.End)) {
      const refs: A.NodeRef[] = [this.nodeRef()];
      while (this.opt(T.Arrow)) refs.push(this.nodeRef());
      return { kind: "EdgeItem", refs, span: this.from(at, this.p - 1) };
    }
    return bail(); // junk: the Chevrotain path reports it
  }

  /** parser-graph.ts `startsGraphItem`. */
  private startsGraphItem(): boolean {
    const k = this.kinds[this.p];
    if (this.kinds[this.p + 1] === T.Arrow && (k === T.Word || k === T.Start || k === T.End)) return true;
    if (k !== T.Word) return false;
    switch (this.kw[this.p]) {
      case K.start: case K.state: case K.channel: case K.input: case K.output: case K.defaults: case K.metadata:
      case K.tags: case K.allow: case K.node: case K.join: case K.interrupt: case K.checkpoint: case K.budget:
        return true;
    }
    return false;
  }

  /** "[" (IDENT | STRING) (","? (IDENT | STRING))* "]" */
  private nameList(): A.Identifier[] {
    this.eat(T.LBracket);
    const names: A.Identifier[] = [];
    for (;;) {
      const k = this.kinds[this.p];
      if (k === T.Word) names.push(this.identAt(this.p++));
      else if (k === T.Str) {
        const s = this.stringAt(this.p++);
        names.push({ kind: "Identifier", name: s.value, span: s.span });
      } else break;
      this.opt(T.Comma);
    }
    this.eat(T.RBracket);
    return names;
  }

  // ─────────────────────────────── node items ───────────────────────────────

  /** "{" (node_item | "," | ";")* "}" */
  private nodeBody(): A.NodeItem[] {
    this.eat(T.LCurly);
    const items: A.NodeItem[] = [];
    for (;;) {
      const k = this.kinds[this.p];
      if (k === T.RCurly) break;
      if (k === T.Comma || k === T.Semicolon) {
        this.p++;
        continue;
      }
      if (k !== T.Word) bail();
      items.push(this.nodeItem());
    }
    this.p++;
    return items;
  }

  private nodeItem(): A.NodeItem {
    const at = this.p;
    const w = this.kw[at];
    const keyword = this.identAt(at);
    this.p++;
    switch (w) {
      case K.kind: {
        const value = this.ident();
        return { kind: "KindItem", keyword, value, span: this.from(at, this.p - 1) };
      }
      case K.model:
      case K.agent:
      case K.graph:
      case K.script:
      case K.tool:
      case K.route: {
        const v = this.eat(T.Str);
        return { kind: "BindingItem", keyword, binding: keyword.name as A.BindingKeyword, value: this.stringAt(v), span: this.from(at, v) };
      }
      case K.system:
      case K.prompt: {
        const k = this.kinds[this.p];
        if (k !== T.Str && k !== T.Triple) bail();
        const v = this.p++;
        return { kind: "TemplateItem", keyword, role: w === K.system ? "system" : "prompt", value: this.template(v), span: this.from(at, v) };
      }
      case K.tools:
      case K.sources:
      case K.options:
      case K.validate:
      case K.tags:
      case K.models:
      case K.agents:
      case K.graphs:
      case K.approve: {
        const value = this.valueList();
        return { kind: "ListItem", keyword, list: keyword.name as A.ListItem["list"], value, span: this.from(at, this.p - 1) };
      }
      case K.input: {
        if (this.kinds[this.p] === T.Str) {
          const v = this.p++;
          return { kind: "InputItem", keyword, value: this.stringAt(v), span: this.from(at, v) };
        }
        const value = this.exprMap();
        return { kind: "InputItem", keyword, value, span: this.from(at, this.p - 1) };
      }
      case K.output:
      case K.resume: {
        let value: A.RecordType | A.Identifier;
        if (this.kinds[this.p] === T.LCurly) {
          const open = this.p;
          const fields = this.fieldBlock();
          value = { kind: "RecordType", fields, span: this.from(open, this.p - 1) };
        } else value = this.ident();
        const span = this.from(at, this.p - 1);
        return w === K.output ? { kind: "OutputItem", keyword, value, span } : { kind: "ResumeItem", keyword, value, span };
      }
      case K.writes: {
        const value = this.kinds[this.p] === T.LCurly ? this.exprMap() : this.ident();
        return { kind: "WritesItem", keyword, value, span: this.from(at, this.p - 1) };
      }
      case K.set: {
        const value = this.exprMap();
        return { kind: "SetItem", keyword, value, span: this.from(at, this.p - 1) };
      }
      case K.attach: {
        const value = this.exprMap();
        return { kind: "AttachItem", keyword, value, span: this.from(at, this.p - 1) };
      }
      case K.next: {
        const targets: A.NodeRef[] = [];
        const bracketed = this.opt(T.LBracket);
        if (bracketed) {
          for (;;) {
            const k = this.kinds[this.p];
            if (k !== T.Word && k !== T.End && k !== T.Start) break;
            targets.push(this.nodeRef());
            this.opt(T.Comma);
          }
          this.eat(T.RBracket);
        } else targets.push(this.nodeRef());
        return { kind: "NextItem", keyword, targets, bracketed, span: this.from(at, this.p - 1) };
      }
      case K.routes:
        this.p = at;
        return this.routesItem();
      case K.send: {
        this.eat(T.LBracket);
        const targets: A.SendTarget[] = [];
        while (this.kinds[this.p] === T.Word) {
          targets.push(this.sendTarget());
          this.opt(T.Comma);
        }
        this.eat(T.RBracket);
        if (this.isKw(this.p, K.concurrency)) {
          this.p++;
          const c = this.eat(T.Num);
          return { kind: "SendItem", keyword, spelling: "send", targets, concurrency: this.numberAt(c), span: this.from(at, c) };
        }
        return { kind: "SendItem", keyword, spelling: "send", targets, span: this.from(at, this.p - 1) };
      }
      case K.sends: {
        this.eat(T.LBracket);
        const targets: A.SendTarget[] = [];
        while (this.isKw(this.p, K.send)) {
          const s = this.p++;
          const target = this.ident();
          const input = this.kinds[this.p] === T.Str ? this.stringAt(this.p++) : undefined;
          this.opt(T.Comma);
          const span = this.from(s, this.p - 1);
          targets.push(input ? { kind: "SendTarget", target, args: input, span } : { kind: "SendTarget", target, span });
        }
        this.eat(T.RBracket);
        return { kind: "SendItem", keyword, spelling: "sends", targets, span: this.from(at, this.p - 1) };
      }
      case K.join: {
        const target = this.nodeRef();
        if (this.isKw(this.p, K.wait)) {
          this.p++;
          const t = this.p;
          const k = this.kinds[t];
          let policy: A.WaitPolicy;
          if (k === T.Word) {
            const img = this.images[t];
            if (img !== "all" && img !== "first") bail(); // unknown wait policy: a diagnostic
            policy = img;
          } else if (k === T.Num) {
            const v = Number(this.images[t]);
            if (!(Number.isInteger(v) && v >= 1)) bail();
            policy = v;
          } else bail();
          this.p++;
          return { kind: "JoinItem", keyword, target, wait: { policy, span: this.tok(t) }, span: this.from(at, t) };
        }
        return { kind: "JoinItem", keyword, target, span: this.from(at, this.p - 1) };
      }
      case K.command:
        return this.commandItem(at, keyword);
      case K.blocking:
      case K.optional:
      case K.defer:
      case K.persistent: {
        const k = this.kinds[this.p];
        const value = k !== T.False;
        if (k === T.True || k === T.False) this.p++;
        return { kind: "FlagItem", keyword, flag: w === K.optional ? "optional" : w === K.defer ? "defer" : w === K.persistent ? "persistent" : "blocking", value, span: this.from(at, this.p - 1) };
      }
      case K.retry:
      case K.metadata:
      case K.cache:
      case K.budget: {
        const k = this.kinds[this.p];
        let value: A.Block | A.BooleanLiteral;
        if (k === T.True || k === T.False) {
          value = { kind: "Boolean", value: k === T.True, span: this.tok(this.p) };
          this.p++;
        } else value = this.block();
        return { kind: "BlockItem", keyword, block: keyword.name as A.BlockItem["block"], value, span: this.from(at, this.p - 1) };
      }
      case K.timeout: {
        const k = this.kinds[this.p];
        if (k !== T.Duration && k !== T.Num && k !== T.Str) bail();
        const v = this.p++;
        return { kind: "TimeoutItem", keyword, value: this.literalAt(v) as A.DurationLiteral | A.NumberLiteral | A.StringLiteral, span: this.from(at, v) };
      }
      case K.max_steps: {
        const v = this.eat(T.Num);
        return { kind: "MaxStepsItem", keyword, value: this.numberAt(v), span: this.from(at, v) };
      }
      case K.on_error: {
        this.opt(T.Arrow);
        const target = this.nodeRef();
        return { kind: "OnErrorItem", keyword, target, span: this.from(at, this.p - 1) };
      }
      case K.checkpoint: {
        const value = this.ident();
        return { kind: "CheckpointItem", keyword, value, span: this.from(at, this.p - 1) };
      }
      case K.steering:
        return this.steeringItem(at, keyword);
    }
    return bail(); // not a node item: junk
  }

  /** "routes" "{" (route (","|";")?)* "}" (the cursor is on `routes`) */
  private routesItem(): A.RoutesItem {
    const at = this.p++;
    this.eat(T.LCurly);
    const routes: A.Route[] = [];
    while (this.kinds[this.p] === T.Word) {
      const r = this.p;
      const w = this.kw[r];
      const arrowNext = this.kinds[r + 1] === T.Arrow;
      if (w === K.else && arrowNext) {
        this.p += 2;
        const target = this.nodeRef();
        routes.push({ kind: "ElseRoute", target, span: this.from(r, this.p - 1) });
      } else if (w === K.when && !arrowNext) {
        this.p++;
        const condition = this.expr();
        this.eat(T.Arrow);
        const target = this.nodeRef();
        routes.push({ kind: "WhenRoute", condition, target, span: this.from(r, this.p - 1) });
      } else {
        const label = this.ident();
        this.eat(T.Arrow);
        const target = this.nodeRef();
        routes.push({ kind: "LabelRoute", label, target, span: this.from(r, this.p - 1) });
      }
      const k = this.kinds[this.p];
      if (k === T.Comma || k === T.Semicolon) this.p++;
    }
    this.eat(T.RCurly);
    return { kind: "RoutesItem", keyword: this.identAt(at), routes, span: this.from(at, this.p - 1) };
  }

  /** send_item = IDENT (expr_map | STRING)? ("for" IDENT "in" expr)? ("->" IDENT)? */
  private sendTarget(): A.SendTarget {
    const at = this.p;
    const target = this.ident();
    let args: A.ExprMap | A.StringLiteral | undefined;
    if (this.kinds[this.p] === T.LCurly) args = this.exprMap();
    else if (this.kinds[this.p] === T.Str) args = this.stringAt(this.p++);
    let forEach: A.SendTarget["forEach"];
    if (this.isKw(this.p, K.for)) {
      const f = this.p++;
      const variable = this.ident();
      if (!this.isKw(this.p, K.in)) bail();
      this.p++;
      const iterable = this.expr();
      forEach = { variable, iterable, span: this.tok(f) };
    }
    let into: A.Identifier | undefined;
    if (this.opt(T.Arrow)) into = this.ident();
    // key order as build-items.ts builds it (the AST is serialized, e.g. by golden tests)
    const span = this.from(at, this.p - 1);
    return { kind: "SendTarget", target, ...(args && { args }), ...(forEach && { forEach }), ...(into && { into }), span };
  }

  /** "command" "{" ("goto" ("parent" ".")? node_ref | "update" expr_map | "," | ";")* "}" */
  private commandItem(at: number, keyword: A.Identifier): A.CommandItem {
    this.eat(T.LCurly);
    let goto: A.NodeRef | undefined;
    let parent: A.Identifier | undefined;
    let update: A.ExprMap | undefined;
    for (;;) {
      const k = this.kinds[this.p];
      if (k === T.Comma || k === T.Semicolon) {
        this.p++;
        continue;
      }
      if (this.isKw(this.p, K.goto)) {
        if (goto) bail(); // a second goto: the AST keeps odd combinations; leave it to the Chevrotain path
        this.p++;
        if (this.isKw(this.p, K.parent) && this.kinds[this.p + 1] === T.Dot) {
          parent = this.identAt(this.p);
          this.p += 2;
        }
        goto = this.nodeRef();
      } else if (this.isKw(this.p, K.update)) {
        if (update) bail();
        this.p++;
        update = this.exprMap();
      } else break;
    }
    this.eat(T.RCurly);
    const span = this.from(at, this.p - 1);
    return { kind: "CommandItem", keyword, ...(goto && { goto }), ...(parent && { parent }), ...(update && { update }), span };
  }

  /** "steering" "{" (("parent" | "human") "allow" list | "delivery" STRING) separator? … "}" */
  private steeringItem(at: number, keyword: A.Identifier): A.SteeringItem {
    this.eat(T.LCurly);
    const entries: A.SteeringEntry[] = [];
    for (;;) {
      const e = this.p;
      const w = this.kinds[e] === T.Word ? this.kw[e] : 0;
      if (w === K.parent || w === K.human) {
        this.p++;
        if (!this.isKw(this.p, K.allow)) bail();
        this.p++;
        const value = this.valueList();
        entries.push({ kind: "SteeringEntry", who: w === K.human ? "human" : "parent", keyword: this.identAt(e), value, span: this.from(e, this.p - 1) });
      } else if (w === K.delivery) {
        this.p++;
        const s = this.eat(T.Str);
        entries.push({ kind: "SteeringEntry", who: "delivery", keyword: this.identAt(e), value: this.stringAt(s), span: this.from(e, s) });
      } else break;
      const k = this.kinds[this.p];
      if (k === T.Comma || k === T.Semicolon) this.p++;
    }
    this.eat(T.RCurly);
    return { kind: "SteeringItem", keyword, entries, span: this.from(at, this.p - 1) };
  }
}
