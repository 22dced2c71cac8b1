/**
 * CST → AST for the program, graph items (`language.md` §2.1) and node items (§2.3).
 * Unknown items (the parser's junk rules) become `E-rag-unexpected-token` diagnostics
 * with did-you-mean against the item keywords.
 */
import type { CstNode, IToken } from "#chevrotain";
import type { Span } from "../span.js";
import { suggestionList } from "../suggest.js";
import type * as A from "./ast.js";
import { first, tokensOf } from "./build-context.js";
import { ExprBuilder } from "./build-expr.js";
import type * as C from "./cst.generated.js";
import { GRAPH_ITEM_WORDS, NODE_ITEM_WORDS } from "./parser.js";
import { describeToken } from "./parser-messages.js";

/** Items whose value starts with `{` or `[` (for ranking did-you-mean suggestions). */
const BLOCK_ITEMS = new Set(["routes", "retry", "metadata", "cache", "steering", "command", "set", "writes", "input", "output", "defaults", "state", "node", "graph", "agent", "schema"]);
const LIST_ITEMS = new Set(["tools", "sources", "options", "validate", "tags", "models", "agents", "graphs", "send", "sends", "next", "join", "allow", "interrupt"]);

export class AstBuilder extends ExprBuilder {
  program(n: C.ProgramCstNode, source: string, comments: A.Comment[]): A.Program {
    const items: A.TopItem[] = [];
    const children: { offset: number; build: () => A.TopItem | undefined }[] = [];
    for (const g of n.children.graphDecl ?? []) children.push({ offset: g.location?.startOffset ?? 0, build: () => this.graphDecl(g) });
    for (const a of n.children.agentDecl ?? []) children.push({ offset: a.location?.startOffset ?? 0, build: () => this.agentDecl(a) });
    for (const s of n.children.schemaDecl ?? []) children.push({ offset: s.location?.startOffset ?? 0, build: () => this.schemaDecl(s) });
    for (const j of n.children.topJunk ?? []) children.push({ offset: j.location?.startOffset ?? 0, build: () => void this.junk(j, "top") });
    children.sort((a, b) => a.offset - b.offset);
    for (const c of children) {
      const item = c.build();
      if (item) items.push(item);
    }
    return { kind: "Program", items, comments, span: this.ctx.lines.span(0, source.length) };
  }

  // ─────────────────────────────── top level ───────────────────────────────

  private graphDecl(n: C.GraphDeclCstNode): A.GraphDecl {
    const c = n.children;
    const span = this.spanOf(n);
    const keyword = this.ctx.ident(first(c.Kw_graph), undefined, span);
    const name = this.ctx.ident(first(c.name), first(c.Kw_graph), span);
    const items: A.GraphItem[] = [];
    for (const gi of c.graphItem ?? []) {
      const item = this.graphItem(gi, span);
      if (item) items.push(item);
    }
    return { kind: "GraphDecl", keyword, name, items, span, ...(n.recoveredNode ? { recovered: true } : {}) };
  }

  private agentDecl(n: C.AgentDeclCstNode): A.AgentDecl {
    const c = n.children;
    const span = this.spanOf(n);
    return {
      kind: "AgentDecl",
      keyword: this.ctx.ident(first(c.Kw_agent), undefined, span),
      name: this.ctx.ident(first(c.name), first(c.Kw_agent), span),
      items: this.nodeBody(first(c.nodeBody), span),
      span,
    };
  }

  private schemaDecl(n: C.SchemaDeclCstNode): A.SchemaDecl {
    const c = n.children;
    const span = this.spanOf(n);
    return {
      kind: "SchemaDecl",
      keyword: this.ctx.ident(first(c.Kw_schema), undefined, span),
      name: this.ctx.ident(first(c.name), first(c.Kw_schema), span),
      fields: this.fields(first(c.fieldBlock), span),
      span,
    };
  }

  // ─────────────────────────────── graph items ───────────────────────────────

  private graphItem(n: C.GraphItemCstNode, fallback: Span): A.GraphItem | undefined {
    const c = n.children;
    const x =
      (soleChild(c) as Alternative<C.GraphItemCstChildren> | undefined) ??
      first(c.startItem) ?? first(c.stateItem) ?? first(c.channelItem) ?? first(c.ioItem) ?? first(c.configItem) ?? first(c.tagsItem) ??
      first(c.allowItem) ?? first(c.nodeDecl) ?? first(c.joinEdgeItem) ?? first(c.interruptItem) ?? first(c.checkpointPolicyItem) ??
      first(c.edgeItem) ?? first(c.graphJunk);
    if (!x) return undefined;
    const span = this.ctx.nodeSpan(x) ?? fallback;
    switch (x.name) {
      case "startItem": {
        const k = first(x.children.Kw_start);
        const r = first(x.children.routesItem);
        if (r) {
          const rs = this.ctx.nodeSpan(r) ?? span;
          const routes: A.RoutesItem = { kind: "RoutesItem", keyword: this.kwIdent(first(r.children.Kw_routes), rs), routes: (r.children.route ?? []).map((x) => this.route(x, rs)).filter((x): x is A.Route => x !== undefined), span: rs };
          return { kind: "StartItem", keyword: this.kwIdent(k, span), routes, span };
        }
        return { kind: "StartItem", keyword: this.kwIdent(k, span), target: this.ctx.ident(first(x.children.target), k, span), span };
      }
      case "stateItem": {
        const nm = first(x.children.name);
        return {
          kind: "StateItem",
          keyword: this.kwIdent(first(x.children.Kw_state), span),
          ...(this.ctx.real(nm) ? { name: this.ctx.ident(nm, undefined, span) } : {}),
          fields: this.fields(first(x.children.fieldBlock), span),
          span,
        };
      }
      case "channelItem": {
        const k = first(x.children.Kw_channel);
        const name = this.ctx.ident(first(x.children.name), k, span);
        const r = first(x.children.reducerSpec);
        const reducer: A.ReducerSpec = r ? this.reducerSpec(r, span) : { kind: "Reducer", name: { kind: "Identifier", name: "", span: this.ctx.after(first(x.children.name), span), recovered: true }, args: [], span, recovered: true };
        return { kind: "ChannelItem", keyword: this.kwIdent(k, span), name, reducer, span };
      }
      case "ioItem": {
        const k = first(x.children.keyword);
        return { kind: "IoItem", keyword: this.kwIdent(k, span), direction: k?.image === "output" ? "output" : "input", fields: this.fields(first(x.children.fieldBlock), span), span };
      }
      case "configItem": {
        const k = first(x.children.keyword);
        const b = first(x.children.block);
        return { kind: "ConfigItem", keyword: this.kwIdent(k, span), config: k?.image === "metadata" ? "metadata" : k?.image === "budget" ? "budget" : "defaults", value: b ? this.block(b, span) : { kind: "Block", entries: [], span, recovered: true }, span };
      }
      case "tagsItem": {
        const l = first(x.children.valueList);
        return { kind: "TagsItem", keyword: this.kwIdent(first(x.children.Kw_tags), span), value: l ? this.valueList(l, span) : this.emptyList(span), span };
      }
      case "allowItem": {
        const k = first(x.children.Kw_allow);
        const l = first(x.children.valueList);
        return { kind: "AllowItem", keyword: this.kwIdent(k, span), capability: this.ctx.ident(first(x.children.capability), k, span), value: l ? this.valueList(l, span) : this.emptyList(span), span };
      }
      case "nodeDecl": {
        const k = first(x.children.Kw_node);
        return { kind: "NodeDecl", keyword: this.kwIdent(k, span), name: this.ctx.ident(first(x.children.name), k, span), items: this.nodeBody(first(x.children.nodeBody), span), span };
      }
      case "joinEdgeItem": {
        const k = first(x.children.Kw_join);
        const nl = first(x.children.nameList);
        return {
          kind: "JoinEdgeItem",
          keyword: this.kwIdent(k, span),
          sources: nl ? this.names(nl) : [],
          target: this.nodeRefOf(first(x.children.nodeRef), first(x.children.Arrow), span),
          span,
        };
      }
      case "interruptItem": {
        const k = first(x.children.Kw_interrupt);
        const when = first(x.children.when);
        const nl = first(x.children.nameList);
        if (this.ctx.real(when)) {
          return { kind: "InterruptAroundItem", keyword: this.kwIdent(k, span), when: when.image === "after" ? "after" : "before", nodes: nl ? this.names(nl) : [], span };
        }
        return { kind: "PolicyItem", keyword: this.kwIdent(k, span), policy: "interrupt", value: this.ctx.ident(first(x.children.policy), k, span), span };
      }
      case "checkpointPolicyItem": {
        const k = first(x.children.Kw_checkpoint);
        return { kind: "PolicyItem", keyword: this.kwIdent(k, span), policy: "checkpoint", value: this.ctx.ident(first(x.children.policy), k, span), span };
      }
      case "edgeItem": {
        const refs = (x.children.nodeRef ?? []).map((r) => this.nodeRefOf(r, undefined, span));
        return { kind: "EdgeItem", refs, span };
      }
      case "graphJunk":
        return this.junk(x, "graph");
    }
  }

  private names(n: C.NameListCstNode): A.Identifier[] {
    return (n.children.names ?? [])
      .filter((t) => this.ctx.real(t))
      .map((t) => ({ kind: "Identifier", name: t.tokenType.name === "StringLit" ? this.stringLiteral(t).value : t.image, span: this.ctx.tokenSpan(t) }));
  }

  // ─────────────────────────────── node items ───────────────────────────────

  private nodeBody(n: C.NodeBodyCstNode | undefined, fallback: Span): A.NodeItem[] {
    if (!n) return [];
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const items: A.NodeItem[] = [];
    for (const ni of n.children.nodeItem ?? []) {
      const item = this.nodeItem(ni, span);
      if (item) items.push(item);
    }
    return items;
  }

  private nodeItem(n: C.NodeItemCstNode, fallback: Span): A.NodeItem | undefined {
    const c = n.children;
    const x =
      (soleChild(c) as Alternative<C.NodeItemCstChildren> | undefined) ??
      first(c.kindItem) ?? first(c.bindingItem) ?? first(c.templateItem) ?? first(c.listItem) ?? first(c.inputItem) ?? first(c.outputItem) ?? first(c.resumeItem) ??
      first(c.writesItem) ?? first(c.setItem) ?? first(c.attachItem) ?? first(c.nextItem) ?? first(c.routesItem) ?? first(c.sendItem) ?? first(c.sendsItem) ??
      first(c.joinItem) ?? first(c.commandItem) ?? first(c.flagItem) ?? first(c.blockItem) ?? first(c.timeoutItem) ?? first(c.maxStepsItem) ??
      first(c.onErrorItem) ?? first(c.checkpointItem) ?? first(c.steeringItem) ?? first(c.nodeJunk);
    if (!x) return undefined;
    const span = this.ctx.nodeSpan(x) ?? fallback;
    switch (x.name) {
      case "kindItem": {
        const k = first(x.children.Kw_kind);
        return { kind: "KindItem", keyword: this.kwIdent(k, span), value: this.ctx.ident(first(x.children.value), k, span), span };
      }
      case "bindingItem": {
        const k = first(x.children.keyword);
        const v = first(x.children.value);
        const keyword = this.kwIdent(k, span);
        if (!this.ctx.real(v)) return { kind: "UnknownItem", keyword, span, recovered: true };
        return { kind: "BindingItem", keyword, binding: (k?.image ?? "model") as A.BindingKeyword, value: this.stringLiteral(v), span };
      }
      case "templateItem": {
        const k = first(x.children.keyword);
        const sv = first(x.children.stringValue);
        const t = sv && (first(sv.children.StringLit) ?? first(sv.children.TripleString));
        const keyword = this.kwIdent(k, span);
        if (!this.ctx.real(t)) return { kind: "UnknownItem", keyword, span, recovered: true };
        return { kind: "TemplateItem", keyword, role: k?.image === "system" ? "system" : "prompt", value: this.template(t), span };
      }
      case "listItem": {
        const k = first(x.children.keyword);
        const l = first(x.children.valueList);
        return { kind: "ListItem", keyword: this.kwIdent(k, span), list: (k?.image ?? "tools") as A.ListItem["list"], value: l ? this.valueList(l, span) : this.emptyList(span), span };
      }
      case "inputItem": {
        const s = first(x.children.StringLit);
        const m = first(x.children.exprMap);
        const keyword = this.kwIdent(first(x.children.Kw_input), span);
        if (this.ctx.real(s)) return { kind: "InputItem", keyword, value: this.stringLiteral(s), span };
        return { kind: "InputItem", keyword, value: m ? this.exprMap(m, span) : { kind: "ExprMap", entries: [], span, recovered: true }, span };
      }
      case "outputItem": {
        const fb = first(x.children.fieldBlock);
        const keyword = this.kwIdent(first(x.children.Kw_output), span);
        if (fb) return { kind: "OutputItem", keyword, value: { kind: "RecordType", fields: this.fields(fb, span), span: this.ctx.nodeSpan(fb) ?? span }, span };
        return { kind: "OutputItem", keyword, value: this.ctx.ident(first(x.children.schema), first(x.children.Kw_output), span), span };
      }
      case "resumeItem": {
        const fb = first(x.children.fieldBlock);
        const keyword = this.kwIdent(first(x.children.Kw_resume), span);
        if (fb) return { kind: "ResumeItem", keyword, value: { kind: "RecordType", fields: this.fields(fb, span), span: this.ctx.nodeSpan(fb) ?? span }, span };
        return { kind: "ResumeItem", keyword, value: this.ctx.ident(first(x.children.schema), first(x.children.Kw_resume), span), span };
      }
      case "writesItem": {
        const ch = first(x.children.channel);
        const m = first(x.children.exprMap);
        const keyword = this.kwIdent(first(x.children.Kw_writes), span);
        if (m) return { kind: "WritesItem", keyword, value: this.exprMap(m, span), span };
        return { kind: "WritesItem", keyword, value: this.ctx.ident(ch, first(x.children.Kw_writes), span), span };
      }
      case "attachItem": {
        const m = first(x.children.exprMap);
        return { kind: "AttachItem", keyword: this.kwIdent(first(x.children.Kw_attach), span), value: m ? this.exprMap(m, span) : { kind: "ExprMap", entries: [], span, recovered: true }, span };
      }
      case "setItem": {
        const m = first(x.children.exprMap);
        return { kind: "SetItem", keyword: this.kwIdent(first(x.children.Kw_set), span), value: m ? this.exprMap(m, span) : { kind: "ExprMap", entries: [], span, recovered: true }, span };
      }
      case "nextItem": {
        const k = first(x.children.Kw_next);
        const bracketed = x.children.LBracket !== undefined;
        const refs = (x.children.nodeRef ?? []).map((r) => this.nodeRefOf(r, k, span));
        if (!bracketed && refs.length === 0) refs.push({ kind: "NodeRef", name: "", span: this.ctx.after(k, span), recovered: true });
        return { kind: "NextItem", keyword: this.kwIdent(k, span), targets: refs, bracketed, span };
      }
      case "routesItem":
        return { kind: "RoutesItem", keyword: this.kwIdent(first(x.children.Kw_routes), span), routes: (x.children.route ?? []).map((r) => this.route(r, span)).filter((r): r is A.Route => r !== undefined), span };
      case "sendItem": {
        const conc = first(x.children.concurrency);
        return {
          kind: "SendItem",
          keyword: this.kwIdent(first(x.children.Kw_send), span),
          spelling: "send",
          targets: (x.children.sendTarget ?? []).map((t) => this.sendTarget(t, span)).filter((t) => t.target.name !== ""),
          ...(this.ctx.real(conc) ? { concurrency: this.numberLiteral(conc) } : {}),
          span,
        };
      }
      case "sendsItem":
        return { kind: "SendItem", keyword: this.kwIdent(first(x.children.Kw_sends), span), spelling: "sends", targets: (x.children.refSend ?? []).map((t) => this.refSend(t, span)).filter((t) => t.target.name !== ""), span };
      case "joinItem":
        return this.joinItem(x, span);
      case "commandItem": {
        const g = first(x.children.nodeRef);
        const u = first(x.children.exprMap);
        return {
          kind: "CommandItem",
          keyword: this.kwIdent(first(x.children.Kw_command), span),
          ...(g ? { goto: this.nodeRefOf(g, first(x.children.Dot) ?? first(x.children.Kw_goto), span) } : {}),
          ...(this.ctx.real(first(x.children.Kw_parent)) ? { parent: this.kwIdent(first(x.children.Kw_parent), span) } : {}),
          ...(u ? { update: this.exprMap(u, span) } : {}),
          span,
        };
      }
      case "flagItem": {
        const k = first(x.children.keyword);
        return { kind: "FlagItem", keyword: this.kwIdent(k, span), flag: k?.image === "optional" ? "optional" : k?.image === "defer" ? "defer" : k?.image === "persistent" ? "persistent" : "blocking", value: x.children.False === undefined, span };
      }
      case "blockItem": {
        const k = first(x.children.keyword);
        const b = first(x.children.block);
        const bool = first(x.children.True) ?? first(x.children.False);
        const value: A.Block | A.BooleanLiteral = b
          ? this.block(b, span)
          : this.ctx.real(bool)
            ? { kind: "Boolean", value: bool.image === "true", span: this.ctx.tokenSpan(bool) }
            : { kind: "Block", entries: [], span, recovered: true };
        return { kind: "BlockItem", keyword: this.kwIdent(k, span), block: (k?.image ?? "retry") as A.BlockItem["block"], value, span };
      }
      case "timeoutItem": {
        const keyword = this.kwIdent(first(x.children.Kw_timeout), span);
        const lit = this.literal(x.children);
        if (!lit || (lit.kind !== "Duration" && lit.kind !== "Number" && lit.kind !== "String")) return { kind: "UnknownItem", keyword, span, recovered: true };
        return { kind: "TimeoutItem", keyword, value: lit, span };
      }
      case "maxStepsItem": {
        const keyword = this.kwIdent(first(x.children.Kw_max_steps), span);
        const t = first(x.children.NumberLit);
        if (!this.ctx.real(t)) return { kind: "UnknownItem", keyword, span, recovered: true };
        return { kind: "MaxStepsItem", keyword, value: this.numberLiteral(t), span };
      }
      case "onErrorItem":
        return { kind: "OnErrorItem", keyword: this.kwIdent(first(x.children.Kw_on_error), span), target: this.nodeRefOf(first(x.children.nodeRef), first(x.children.Kw_on_error), span), span };
      case "checkpointItem": {
        const k = first(x.children.Kw_checkpoint);
        return { kind: "CheckpointItem", keyword: this.kwIdent(k, span), value: this.ctx.ident(first(x.children.value), k, span), span };
      }
      case "steeringItem":
        return { kind: "SteeringItem", keyword: this.kwIdent(first(x.children.Kw_steering), span), entries: (x.children.steeringEntry ?? []).map((e) => this.steeringEntry(e, span)).filter((e): e is A.SteeringEntry => e !== undefined), span };
      case "nodeJunk":
        return this.junk(x, "node");
    }
  }

  private route(n: C.RouteCstNode, fallback: Span): A.Route | undefined {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const target = this.nodeRefOf(first(c.nodeRef), first(c.Arrow), span);
    if (c.Kw_else) return { kind: "ElseRoute", target, span };
    const cond = first(c.expr);
    if (c.Kw_when && cond) return { kind: "WhenRoute", condition: this.expr(cond, span), target, span };
    const label = first(c.label);
    if (!this.ctx.real(label)) return undefined;
    return { kind: "LabelRoute", label: this.ctx.ident(label, undefined, span), target, span };
  }

  private sendTarget(n: C.SendTargetCstNode, fallback: Span): A.SendTarget {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const m = first(c.exprMap);
    const input = first(c.input);
    const v = first(c.variable);
    const it = first(c.expr);
    const into = first(c.into);
    return {
      kind: "SendTarget",
      target: this.ctx.ident(first(c.target), undefined, span),
      ...(m ? { args: this.exprMap(m, span) } : this.ctx.real(input) ? { args: this.stringLiteral(input) } : {}),
      ...(this.ctx.real(v) && it ? { forEach: { variable: this.ctx.ident(v, undefined, span), iterable: this.expr(it, span), span: this.ctx.tokenSpan(first(c.Kw_for) ?? v) } } : {}),
      ...(this.ctx.real(into) ? { into: this.ctx.ident(into, undefined, span) } : {}),
      span,
    };
  }

  private refSend(n: C.RefSendCstNode, fallback: Span): A.SendTarget {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const input = first(c.input);
    return { kind: "SendTarget", target: this.ctx.ident(first(c.target), first(c.Kw_send), span), ...(this.ctx.real(input) ? { args: this.stringLiteral(input) } : {}), span };
  }

  private joinItem(n: C.JoinItemCstNode, span: Span): A.JoinItem {
    const c = n.children;
    const keyword = this.kwIdent(first(c.Kw_join), span);
    const target = this.nodeRefOf(first(c.nodeRef), first(c.Kw_join), span);
    const pol = first(c.policy);
    const count = first(c.count);
    let wait: A.JoinItem["wait"];
    if (this.ctx.real(pol)) {
      const s = this.ctx.tokenSpan(pol);
      if (pol.image === "all" || pol.image === "first") wait = { policy: pol.image, span: s };
      else this.ctx.report("E-rag-unexpected-token", `unknown wait policy \`${pol.image}\``, s, { label: "expected `all`, `first` or a number", help: "write `wait all`, `wait first` or `wait 2`" });
    } else if (this.ctx.real(count)) {
      const s = this.ctx.tokenSpan(count);
      const v = Number(count.image);
      if (Number.isInteger(v) && v >= 1) wait = { policy: v, span: s };
      else this.ctx.report("E-rag-unexpected-token", `wait count must be a positive integer, found \`${count.image}\``, s);
    }
    return { kind: "JoinItem", keyword, target, ...(wait ? { wait } : {}), span };
  }

  private steeringEntry(n: C.SteeringEntryCstNode, fallback: Span): A.SteeringEntry | undefined {
    const c = n.children;
    const span = this.ctx.nodeSpan(n) ?? fallback;
    const who = first(c.who);
    if (!this.ctx.real(who)) return undefined;
    const keyword = this.ctx.ident(who, undefined, span);
    const l = first(c.valueList);
    const s = first(c.StringLit);
    if (who.image === "delivery") {
      if (!this.ctx.real(s)) return undefined;
      return { kind: "SteeringEntry", who: "delivery", keyword, value: this.stringLiteral(s), span };
    }
    return { kind: "SteeringEntry", who: who.image === "human" ? "human" : "parent", keyword, value: l ? this.valueList(l, span) : this.emptyList(span), span };
  }

  // ─────────────────────────────── junk and helpers ───────────────────────────────

  /** Reports an unknown item once, at its first token, with did-you-mean. */
  private junk(n: C.TopJunkCstNode | C.GraphJunkCstNode | C.NodeJunkCstNode, where: "top" | "graph" | "node"): A.UnknownItem | undefined {
    const toks = tokensOf(n);
    const t = toks[0] as IToken | undefined;
    if (!t) return undefined;
    const span = this.ctx.tokenSpan(t);
    const isWord = /^[A-Za-z_]/.test(t.image);
    const words = where === "top" ? ["graph", "agent", "schema"] : where === "graph" ? [...GRAPH_ITEM_WORDS] : [...NODE_ITEM_WORDS];
    // Prefer items that take what follows: `rout { … }` means `routes`, not `route "fn"`.
    const follows = toks[1]?.image;
    const ranked = isWord ? suggestionList(t.image, words) : [];
    const takesBlock = (w: string) => BLOCK_ITEMS.has(w);
    const suggestion = follows === "{" ? (ranked.find(takesBlock) ?? ranked[0]) : follows === "[" ? (ranked.find((w) => LIST_ITEMS.has(w)) ?? ranked[0]) : ranked[0];
    const message =
      where === "top"
        ? `expected \`graph\`, \`agent\` or \`schema\`, found ${describeToken(t)}`
        : isWord
          ? `\`${t.image}\` is not a ${where} item`
          : `unexpected ${describeToken(t)} in a ${where} body`;
    const help =
      suggestion !== undefined
        ? `did you mean \`${suggestion}\`?`
        : where === "top"
          ? "a file holds `graph NAME { … }`, `agent NAME { … }` and `schema NAME { … }` declarations"
          : where === "graph"
            ? "graph items: start, state, channel, input, output, defaults, metadata, tags, allow, node, `a -> b`, join, interrupt, checkpoint"
            : "node items: kind, model, system, prompt, tools, agent, graph, script, tool, input, output, writes, set, next, routes, send, join, command, sources, options, blocking, optional, defer, persistent, retry, timeout, max_steps, cache, validate, on_error, checkpoint, metadata, tags, steering";
    const fixes = suggestion !== undefined ? [{ span, replacement: suggestion, description: `replace \`${t.image}\` with \`${suggestion}\`` }] : [];
    this.ctx.report("E-rag-unexpected-token", message, span, { label: where === "top" ? "not a declaration" : `unknown ${where} item`, help, fixes });
    return { kind: "UnknownItem", keyword: { kind: "Identifier", name: t.image, span }, span: this.ctx.nodeSpan(n) ?? span };
  }

  private kwIdent(t: IToken | undefined, fallback: Span): A.Identifier {
    return this.ctx.ident(t, undefined, fallback);
  }

  private nodeRefOf(n: C.NodeRefCstNode | undefined, prev: IToken | undefined, fallback: Span): A.NodeRef {
    const t = n ? (first(n.children.Ident) ?? first(n.children.EndRef) ?? first(n.children.StartRef)) : undefined;
    return this.ctx.nodeRef(t, prev, fallback);
  }

  private emptyList(span: Span): A.ListValue {
    return { kind: "List", items: [], span, recovered: true };
  }

  /** Span of a declaration; its leading keyword is always a real token. */
  private spanOf(n: CstNode): Span {
    const s = this.ctx.nodeSpan(n);
    if (s) return s;
    const t = tokensOf(n)[0];
    return t ? this.ctx.tokenSpan(t) : this.ctx.lines.span(this.ctx.lines.text.length, this.ctx.lines.text.length);
  }
}

/** The CST node of one alternative of an item rule (`graphItem`, `nodeItem`). */
type Alternative<Children> = NonNullable<Children[keyof Children]> extends readonly (infer N)[] ? N : never;

/**
 * The child of an item rule's CST node when it has exactly one (the alternative taken, as
 * always outside error recovery), found with one key scan instead of probing each of the
 * rule's ~20 alternatives by name; undefined otherwise, and the caller probes in order.
 */
function soleChild(children: object): CstNode | undefined {
  let only: unknown;
  let n = 0;
  for (const k in children) {
    if (++n > 1) return undefined;
    only = (children as Record<string, unknown>)[k];
  }
  if (!Array.isArray(only) || only.length !== 1) return undefined;
  const x: unknown = only[0];
  return x !== null && typeof x === "object" && "children" in x ? (x as CstNode) : undefined;
}
