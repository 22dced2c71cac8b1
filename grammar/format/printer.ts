/**
 * The `.rag` pretty printer: an error-free AST plus its source (for comments and
 * line breaks) → canonical source text.
 *
 * Layout: two-space indent; declarations, node bodies and `routes` always one element
 * per line; every other brace or bracket group (`state`, `defaults`, `set`, lists, send
 * targets, …) stays on one line when the author wrote it on one line, it holds no
 * comment and it fits the width, and is otherwise broken one element per line. One blank
 * line is kept where the source had blank lines; declarations are separated by one.
 * Spelling: see canonical.ts and `printNodeItem`.
 */
import type * as A from "../rag/ast.js";
import type { Comment } from "../rag/lexer.js";
import type { Span } from "../span.js";
import { canonicalKindWord, durationText, nameText, stringText } from "./canonical.js";
import { Emitter } from "./emitter.js";
import { exprText, fieldText, reducerText, valueText } from "./expr.js";

/** One element of a group: its source range, its one-line text and how to emit it broken. */
interface Entry {
  readonly start: number;
  readonly end: number;
  readonly flat: () => string;
  readonly emit: () => void;
}

/** What follows an element's head: a group, or a value that may hold one. */
interface Body {
  /** Offset of the group's opening bracket, when known. */
  readonly start?: number;
  readonly flat: () => string;
  readonly emit: () => void;
}

interface GroupStyle {
  /** `break`: always one element per line; `preserve`: one line when written on one line and it fits. */
  readonly mode: "break" | "preserve";
  /** Separator between elements on one line. */
  readonly flatSep: ", " | " ";
  /** Whether a broken group needs a comma after element `i` (not the last). */
  readonly comma: (i: number) => boolean;
  /** Spaces inside the brackets on one line: `{ a }` but `[a]`. */
  readonly pad: boolean;
}

const BROKEN: GroupStyle = { mode: "break", flatSep: ", ", comma: () => false, pad: true };
const BLOCK: GroupStyle = { mode: "preserve", flatSep: ", ", comma: () => false, pad: true };
const LIST: GroupStyle = { mode: "preserve", flatSep: ", ", comma: () => true, pad: false };
/** `command` and `steering` entries take no commas (the reference form has none). */
const SPACED: GroupStyle = { mode: "preserve", flatSep: " ", comma: () => false, pad: true };

/** Expression keywords that would continue the previous entry's expression if written first on a line. */
const CONTINUES_EXPR = new Set(["in", "and", "or"]);

export interface PrintOptions {
  /** Preferred maximum line width (UTF-16 code units); default 100. */
  readonly width?: number;
}

/** Prints an error-free program. Comments come from `program.comments`. */
export function printProgram(program: A.Program, source: string, options: PrintOptions = {}): string {
  return new Printer(source, program.comments, options.width ?? 100).program(program);
}

class Printer {
  private readonly em: Emitter;

  constructor(
    private readonly source: string,
    comments: readonly Comment[],
    private readonly width: number,
  ) {
    this.em = new Emitter(source, comments, width);
  }

  program(p: A.Program): string {
    p.items.forEach((item, i) => {
      if (i > 0) this.em.blankBeforeNext();
      this.em.flush(item.span.start.offset);
      this.em.separate(item.span.start.offset);
      if (item.kind === "GraphDecl") this.decl(`graph ${item.name.name} `, item.name, item.span, item.items.map((g) => this.graphItem(g)));
      else if (item.kind === "AgentDecl") this.decl(`agent ${item.name.name} `, item.name, item.span, this.nodeEntries(item.items, undefined));
      else this.decl(`schema ${item.name.name} `, item.name, item.span, item.fields.map((f) => this.field(f)));
      this.em.newline(item.span.end.offset);
    });
    return this.em.finish();
  }

  // ─────────────────────────────── groups ───────────────────────────────

  /** `head {` … `}` broken, for declarations and node bodies. */
  private decl(head: string, name: A.Identifier, span: Span, entries: Entry[]): void {
    this.em.flush(this.openAfter(name.span.end.offset, "{"));
    this.em.write(head);
    this.group("{", "}", this.openAfter(name.span.end.offset, "{"), span.end.offset - 1, entries, BROKEN);
  }

  private group(open: string, close: string, openAt: number, closeAt: number, entries: Entry[], style: GroupStyle): void {
    const commented = this.em.hasCommentIn(openAt, closeAt);
    if (!entries.length && !commented) {
      this.em.write(open + close);
      return;
    }
    if (style.mode === "preserve" && !commented && !/[\n\r]/.test(this.source.slice(openAt, closeAt))) {
      const inner = entries.map((e) => e.flat()).join(style.flatSep);
      const text = style.pad ? `${open} ${inner} ${close}` : `${open}${inner}${close}`;
      if (!text.includes("\n") && this.em.column() + text.length <= this.width) {
        this.em.write(text);
        return;
      }
    }
    this.em.flush(openAt);
    this.em.write(open);
    this.em.open(openAt + 1);
    entries.forEach((e, i) => {
      this.em.flush(e.start);
      this.em.separate(e.start);
      e.emit();
      if (i < entries.length - 1 && style.comma(i)) this.em.write(",");
      this.em.newline(e.end);
    });
    this.em.close(close, closeAt);
  }

  /** An element printed on one line; comments inside it move to the line before it. */
  private atom(start: number, end: number, text: () => string): Entry {
    return {
      start,
      end,
      flat: text,
      emit: () => {
        this.em.flush(end);
        this.em.write(text());
      },
    };
  }

  /** An element made of a one-line head and a group (`retry { … }`, `key: [ … ]`). */
  private headed(start: number, end: number, head: string, body: Body, tail = ""): Entry {
    return {
      start,
      end,
      flat: () => head + body.flat() + tail,
      emit: () => {
        // A comment between the head and the group (`tools /* c */ [..]`) goes before the element.
        if (body.start !== undefined) this.em.flush(body.start);
        this.em.write(head);
        body.emit();
        this.em.write(tail);
      },
    };
  }

  /** A group as a body for `headed`. */
  private body(open: string, close: string, span: Span, entries: Entry[], style: GroupStyle, openAt = span.start.offset): Body {
    const closeAt = span.end.offset - 1;
    return {
      start: openAt,
      flat: () => {
        const inner = entries.map((e) => e.flat()).join(style.flatSep);
        return !entries.length ? open + close : style.pad ? `${open} ${inner} ${close}` : `${open}${inner}${close}`;
      },
      emit: () => this.group(open, close, openAt, closeAt, entries, style),
    };
  }

  /** Offset of the first `ch` at or after `from`, skipping comments (only names, space and comments precede it). */
  private openAfter(from: number, ch: "{" | "["): number {
    const s = this.source;
    for (let i = from; i < s.length; i++) {
      if (s[i] === ch) return i;
      if (s.startsWith("//", i)) i = s.indexOf("\n", i) < 0 ? s.length : s.indexOf("\n", i);
      else if (s.startsWith("/*", i)) i = s.indexOf("*/", i) < 0 ? s.length : s.indexOf("*/", i) + 1;
    }
    return from;
  }

  // ─────────────────────────────── values, fields, maps ───────────────────────────────

  private value(v: A.Value): Body {
    if (v.kind === "Block") return this.body("{", "}", v.span, v.entries.map((e) => this.blockEntry(e)), BLOCK);
    if (v.kind === "List") return this.body("[", "]", v.span, v.items.map((i) => this.valueEntry(i)), LIST);
    if (v.kind === "Word" && v.arg) {
      const arg = this.value(v.arg);
      return { flat: () => `${v.name} ${arg.flat()}`, emit: () => (this.em.write(`${v.name} `), arg.emit()) };
    }
    return { flat: () => valueText(v), emit: () => this.em.write(valueText(v)) };
  }

  private valueEntry(v: A.Value): Entry {
    if (v.kind === "Block" || v.kind === "List" || (v.kind === "Word" && v.arg)) return this.headed(v.span.start.offset, v.span.end.offset, "", this.value(v));
    return this.atom(v.span.start.offset, v.span.end.offset, () => valueText(v));
  }

  private blockEntry(e: A.BlockEntry): Entry {
    const v = e.value;
    const end = v.span.end.offset; // not the entry's, which takes in a trailing `,`
    if (v.kind === "Block" || v.kind === "List" || (v.kind === "Word" && v.arg)) return this.headed(e.span.start.offset, end, `${e.key.name}: `, this.value(v));
    return this.atom(e.span.start.offset, end, () => `${e.key.name}: ${valueText(v)}`);
  }

  private list(l: A.ListValue) {
    return this.body("[", "]", l.span, l.items.map((i) => this.valueEntry(i)), LIST);
  }

  private block(b: A.Block) {
    return this.body("{", "}", b.span, b.entries.map((e) => this.blockEntry(e)), BLOCK);
  }

  private field(f: A.Field): Entry {
    if (f.type.kind !== "RecordType") return this.atom(f.span.start.offset, f.span.end.offset, () => fieldText(f));
    const tail = `${f.reducer ? " " + reducerText(f.reducer) : ""}${f.default ? " = " + valueText(f.default) : ""}`;
    return this.headed(f.span.start.offset, f.span.end.offset, `${f.name.name}: `, this.fields(f.type.fields, f.type.span), tail);
  }

  private fields(fs: readonly A.Field[], span: Span, openAt = span.start.offset) {
    return this.body("{", "}", span, fs.map((f) => this.field(f)), BLOCK, openAt);
  }

  private exprMap(m: A.ExprMap) {
    // An entry's span takes in its trailing `,`; end it at its value so a comment after the comma trails it.
    const entries = m.entries.map((e) => this.atom(e.span.start.offset, e.value.span.end.offset, () => `${e.key.name}: ${exprText(e.value)}`));
    // A key such as `in` first on a line would continue the previous value's expression.
    const style: GroupStyle = { ...BLOCK, comma: (i) => CONTINUES_EXPR.has(m.entries[i + 1]?.key.name ?? "") };
    return this.body("{", "}", m.span, entries, style);
  }

  /** The `{` or `[` group that ends an item (`state {…}`, `send […]`). */
  private itemBody(item: { span: Span; keyword: A.Identifier }, ch: "{" | "[", entries: Entry[], style: GroupStyle, after = item.keyword.span.end.offset) {
    const open = ch === "{" ? "{" : "[";
    const close = ch === "{" ? "}" : "]";
    return this.body(open, close, item.span, entries, style, this.openAfter(after, ch));
  }

  // ─────────────────────────────── graph items ───────────────────────────────

  private graphItem(g: A.GraphItem): Entry {
    const start = g.span.start.offset;
    const end = g.span.end.offset;
    switch (g.kind) {
      case "StartItem":
        if (g.routes) {
          const r = g.routes;
          return this.headed(start, end, "start routes ", this.itemBody(r, "{", r.routes.map((x) => this.route(x)), BROKEN));
        }
        return this.atom(start, end, () => `start ${g.target?.name ?? ""}`);
      case "StateItem":
        return this.headed(start, end, g.name ? `state ${g.name.name} ` : "state ", this.itemBody(g, "{", g.fields.map((f) => this.field(f)), BLOCK, g.name?.span.end.offset));
      case "ChannelItem":
        return this.atom(start, end, () => `channel ${g.name.name} ${reducerText(g.reducer)}`);
      case "IoItem":
        return this.headed(start, end, `${g.direction} `, this.itemBody(g, "{", g.fields.map((f) => this.field(f)), BLOCK));
      case "ConfigItem":
        return this.headed(start, end, `${g.config} `, this.block(g.value));
      case "TagsItem":
        return this.headed(start, end, "tags ", this.list(g.value));
      case "AllowItem":
        return this.headed(start, end, `allow ${g.capability.name} `, this.list(g.value));
      case "NodeDecl":
        return {
          start,
          end,
          flat: () => "",
          emit: () => this.decl(`node ${g.name.name} `, g.name, g.span, this.nodeEntries(g.items, g)),
        };
      case "EdgeItem":
        return this.atom(start, end, () => g.refs.map((r) => r.name).join(" -> "));
      case "JoinEdgeItem":
        return this.atom(start, end, () => `join [${g.sources.map((s) => nameText(s.name)).join(", ")}] -> ${g.target.name}`);
      case "InterruptAroundItem":
        return this.atom(start, end, () => `interrupt ${g.when} [${g.nodes.map((n) => nameText(n.name)).join(", ")}]`);
      case "PolicyItem":
        return this.atom(start, end, () => `${g.policy} ${g.value.name}`);
      case "UnknownItem":
        return this.atom(start, end, () => this.source.slice(start, end));
    }
  }

  // ─────────────────────────────── node items ───────────────────────────────

  /** Node (or inline agent) items; `node` is absent for an `agent` declaration. */
  private nodeEntries(items: readonly A.NodeItem[], node: A.NodeDecl | undefined): Entry[] {
    // §6: `model "x"` on a subgraph node names the graph, on a router the route function;
    // written canonically as `graph "x"` / `route "x"` (same IR).
    const kindItem = items.find((i): i is A.KindItem => i.kind === "KindItem");
    const kind = kindItem ? canonicalKindWord(kindItem.value.name) : undefined;
    const has = (b: A.BindingKeyword) => items.some((i) => i.kind === "BindingItem" && i.binding === b);
    const modelAs = node && kind === "subgraph" && !has("graph") ? "graph" : node && kind === "router" && !has("route") ? "route" : "model";
    return items.map((item) => this.nodeItem(item, modelAs));
  }

  private nodeItem(n: A.NodeItem, modelAs: "model" | "graph" | "route"): Entry {
    const start = n.span.start.offset;
    const end = n.span.end.offset;
    const atom = (text: () => string) => this.atom(start, end, text);
    switch (n.kind) {
      case "KindItem":
        return atom(() => `kind ${canonicalKindWord(n.value.name)}`);
      case "BindingItem":
        return atom(() => `${n.binding === "model" ? modelAs : n.binding} ${stringText(n.value)}`);
      case "TemplateItem":
        return atom(() => `${n.role} ${stringText(n.value.literal)}`);
      case "ListItem":
        return this.headed(start, end, `${n.list} `, this.list(n.value));
      case "InputItem":
        return n.value.kind === "String" ? atom(() => `input ${stringText(n.value as A.StringLiteral)}`) : this.headed(start, end, "input ", this.exprMap(n.value));
      case "OutputItem":
        return n.value.kind === "Identifier" ? atom(() => `output ${(n.value as A.Identifier).name}`) : this.headed(start, end, "output ", this.fields(n.value.fields, n.value.span));
      case "ResumeItem":
        return n.value.kind === "Identifier" ? atom(() => `resume ${(n.value as A.Identifier).name}`) : this.headed(start, end, "resume ", this.fields(n.value.fields, n.value.span));
      case "WritesItem":
        return n.value.kind === "Identifier" ? atom(() => `writes ${(n.value as A.Identifier).name}`) : this.headed(start, end, "writes ", this.exprMap(n.value));
      case "SetItem":
        return this.headed(start, end, "set ", this.exprMap(n.value));
      case "AttachItem":
        return this.headed(start, end, "attach ", this.exprMap(n.value));
      case "NextItem":
        return atom(() => (n.targets.length === 1 ? `next ${n.targets[0].name}` : `next [${n.targets.map((t) => t.name).join(", ")}]`));
      case "RoutesItem":
        return this.headed(start, end, "routes ", this.itemBody(n, "{", n.routes.map((r) => this.route(r)), BROKEN));
      case "SendItem": {
        if (!n.concurrency) return this.headed(start, end, "send ", this.itemBody(n, "[", n.targets.map((t) => this.sendTarget(t)), LIST));
        // `send [ … ] concurrency N`: the list's `]` is before `concurrency`, not at the item's end.
        const close = this.source.lastIndexOf("]", n.concurrency.span.start.offset) + 1;
        const list = { span: { start: n.span.start, end: { ...n.span.end, offset: close } }, keyword: n.keyword };
        return this.headed(start, end, "send ", this.itemBody(list, "[", n.targets.map((t) => this.sendTarget(t)), LIST), ` concurrency ${n.concurrency.raw}`);
      }
      case "JoinItem":
        return atom(() => `join ${n.target.name}${n.wait ? ` wait ${n.wait.policy}` : ""}`);
      case "CommandItem":
        return this.headed(start, end, "command ", this.itemBody(n, "{", this.commandEntries(n), SPACED));
      case "FlagItem":
        return atom(() => `${n.flag} ${n.value}`);
      case "BlockItem":
        return n.value.kind === "Boolean" ? atom(() => `${n.block} ${(n.value as A.BooleanLiteral).value}`) : this.headed(start, end, `${n.block} `, this.block(n.value));
      case "TimeoutItem":
        return atom(() => `timeout ${timeoutText(n.value)}`);
      case "MaxStepsItem":
        return atom(() => `max_steps ${n.value.raw}`);
      case "OnErrorItem":
        return atom(() => `on_error -> ${n.target.name}`);
      case "CheckpointItem":
        return atom(() => `checkpoint ${n.value.name}`);
      case "SteeringItem":
        return this.headed(start, end, "steering ", this.itemBody(n, "{", n.entries.map((e) => this.steeringEntry(e)), SPACED));
      case "UnknownItem":
        return atom(() => this.source.slice(start, end));
    }
  }

  private route(r: A.Route): Entry {
    const text = () =>
      r.kind === "LabelRoute" ? `${r.label.name} -> ${r.target.name}` : r.kind === "WhenRoute" ? `when ${exprText(r.condition)} -> ${r.target.name}` : `else -> ${r.target.name}`;
    return this.atom(r.span.start.offset, r.span.end.offset, text);
  }

  private sendTarget(t: A.SendTarget): Entry {
    // The reference spelling's span takes in a trailing `,`; end at the last part instead.
    const end = Math.max(...[t.target, t.args, t.forEach?.iterable, t.into].map((p) => p?.span.end.offset ?? 0));
    const tail = `${t.forEach ? ` for ${t.forEach.variable.name} in ${exprText(t.forEach.iterable)}` : ""}${t.into ? ` -> ${t.into.name}` : ""}`;
    if (t.args?.kind === "ExprMap") return this.headed(t.span.start.offset, end, `${t.target.name} `, this.exprMap(t.args), tail);
    const args = t.args ? ` ${stringText(t.args)}` : "";
    return this.atom(t.span.start.offset, end, () => `${t.target.name}${args}${tail}`);
  }

  private commandEntries(c: A.CommandItem): Entry[] {
    const out: Entry[] = [];
    if (c.goto) out.push(this.atom((c.parent ?? c.goto).span.start.offset, c.goto.span.end.offset, () => `goto ${c.parent ? "parent." : ""}${c.goto!.name}`));
    if (c.update) out.push(this.headed(c.update.span.start.offset, c.update.span.end.offset, "update ", this.exprMap(c.update)));
    return out.sort((a, b) => a.start - b.start);
  }

  private steeringEntry(e: A.SteeringEntry): Entry {
    const start = e.span.start.offset;
    const end = e.span.end.offset;
    if (e.value.kind === "String") return this.atom(start, end, () => `${e.who} ${stringText(e.value as A.StringLiteral)}`);
    return this.headed(start, end, `${e.who} allow `, this.list(e.value));
  }
}

/** `timeout 30` (seconds) and `timeout "30s"` → `timeout 30s`; other spellings stay. */
function timeoutText(v: A.TimeoutItem["value"]): string {
  if (v.kind === "Duration") return v.raw;
  if (v.kind === "Number") return durationText(v.value * 1000) ?? v.raw;
  const m = /^\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(v.value);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "s"]! : undefined;
  return (ms !== undefined ? durationText(ms) : undefined) ?? stringText(v);
}
