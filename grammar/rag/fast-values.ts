/**
 * The fast path's fields, types and static values (parse.ts → fast-parse.ts): state and
 * input fields with their types and reducers, `list<…>`/`map<…>` and constrained types,
 * and the literal values of node items (strings, numbers, lists, blocks). A layer of the
 * fast parser between expressions (fast-expr.ts) and items (fast-parse.ts); like them it
 * builds exactly the Chevrotain path's nodes and bails on anything else.
 */
import { joinSpans } from "../span.js";
import type * as A from "./ast.js";
import { bail, FastExprParser } from "./fast-expr.js";
import { T } from "./fast-scan.js";
import { REDUCER_WORDS, TYPE_WORDS } from "./words.js";

export class FastValueParser extends FastExprParser {
  // ─────────────────────────────── fields and types ───────────────────────────────

  /** "{" (field (","|";")?)* "}" */
  protected fieldBlock(): A.Field[] {
    this.eat(T.LCurly);
    const fields: A.Field[] = [];
    while (this.kinds[this.p] === T.Word) {
      fields.push(this.field());
      const k = this.kinds[this.p];
      if (k === T.Comma || k === T.Semicolon) this.p++;
    }
    this.eat(T.RCurly);
    return fields;
  }

  /** field = IDENT ":"? type reducer? ("=" value)? */
  protected field(): A.Field {
    const at = this.p;
    const name = this.identAt(this.p++);
    this.opt(T.Colon);
    const type = this.typeExpr();
    const reducer = this.reducerFollows() ? this.reducerSpec() : undefined;
    const dflt = this.opt(T.Eq) ? this.value() : undefined;
    const span = this.from(at, this.p - 1);
    if (reducer) return dflt ? { kind: "Field", name, type, reducer, default: dflt, span } : { kind: "Field", name, type, reducer, span };
    return dflt ? { kind: "Field", name, type, default: dflt, span } : { kind: "Field", name, type, span };
  }

  /** parser-base.ts `reducerFollows`. */
  protected reducerFollows(): boolean {
    const p = this.p;
    if (this.kinds[p] !== T.Word || !REDUCER_WORDS.has(this.images[p] as string)) return false;
    const k2 = this.kinds[p + 1];
    if (k2 === T.Colon || k2 === T.Question || k2 === T.Lt) return false;
    if (k2 === T.Word && TYPE_WORDS.has(this.images[p + 1] as string)) return this.kinds[p + 2] === T.Colon;
    return true;
  }

  /** type = type_atom ("[" "]" | "?")* */
  protected typeExpr(): A.TypeExpr {
    let t = this.typeAtom();
    let n = 0;
    for (;;) {
      const k = this.kinds[this.p];
      let end: number;
      if (k === T.LBracket) {
        this.p++;
        end = this.eat(T.RBracket);
      } else if (k === T.Question) end = this.p++;
      else return t;
      if (++n > this.limits.nestingDepth) bail();
      const span = joinSpans(t.span, this.tok(end));
      t = k === T.LBracket ? { kind: "ArrayType", element: t, span } : { kind: "OptionalType", inner: t, span };
    }
  }

  /** type_atom = IDENT ("<" type ("," type)* ">")? constraint? | "{" field* "}" | STRING ("|" STRING)* */
  protected typeAtom(): A.TypeExpr {
    const at = this.p;
    const k = this.kinds[at];
    if (k === T.LCurly) {
      const fields = this.fieldBlock();
      return { kind: "RecordType", fields, span: this.from(at, this.p - 1) };
    }
    if (k === T.Str) {
      const values: A.StringLiteral[] = [this.stringAt(this.p++)];
      while (this.opt(T.Pipe)) values.push(this.stringAt(this.eat(T.Str)));
      return { kind: "EnumType", values, span: this.from(at, this.p - 1) };
    }
    const name = this.ident();
    const args: A.TypeExpr[] = [];
    if (this.opt(T.Lt)) {
      args.push(this.typeExpr());
      while (this.opt(T.Comma)) args.push(this.typeExpr());
      this.eat(T.Gt);
    }
    if (this.kinds[this.p] === T.LParen) {
      const constraint = this.typeConstraint();
      return { kind: "NamedType", name, args, constraint, span: this.from(at, this.p - 1) };
    }
    return { kind: "NamedType", name, args, span: this.from(at, this.p - 1) };
  }

  /** constraint = "(" bound? "." "." bound? ")" (a `/…/` pattern bails in the scanner) */
  protected typeConstraint(): A.TypeConstraint {
    const open = this.p++;
    const min = this.rangeBound();
    this.eat(T.Dot);
    this.eat(T.Dot);
    const max = this.rangeBound();
    const close = this.eat(T.RParen);
    return { kind: "Range", ...(min && { min }), ...(max && { max }), span: this.from(open, close) };
  }

  /** bound = "-"? NUMBER */
  protected rangeBound(): A.NumberLiteral | undefined {
    if (this.kinds[this.p] === T.Minus) {
      const neg = this.p++;
      const lit = this.numberAt(this.eat(T.Num), true);
      return { ...lit, span: joinSpans(this.tok(neg), lit.span) };
    }
    if (this.kinds[this.p] === T.Num) return this.numberAt(this.p++);
    return undefined;
  }

  /** reducer = IDENT (literal | list)* */
  protected reducerSpec(): A.ReducerSpec {
    const at = this.p;
    const name = this.ident();
    const args: (A.Literal | A.ListValue)[] = [];
    for (;;) {
      const k = this.kinds[this.p];
      if (k === T.LBracket) args.push(this.valueList());
      else if (k === T.Str || k === T.Num || k === T.Duration || k === T.True || k === T.False || k === T.Null) args.push(this.literalAt(this.p++) as A.Literal);
      else break;
    }
    return { kind: "Reducer", name, args, span: this.from(at, this.p - 1) };
  }

  // ─────────────────────────────── static values ───────────────────────────────

  /** value = literal | "-" NUMBER | list | block | IDENT (list | block)? */
  protected value(): A.Value {
    const at = this.p;
    switch (this.kinds[at]) {
      case T.Str:
      case T.Triple:
      case T.Num:
      case T.Duration:
      case T.True:
      case T.False:
      case T.Null:
        this.p++;
        return this.literalAt(at) as A.Literal;
      case T.Minus: {
        this.p++;
        const n = this.eat(T.Num);
        return { ...this.numberAt(n, true), span: this.from(at, n) };
      }
      case T.LBracket:
        return this.valueList();
      case T.LCurly:
        return this.block();
      case T.Word: {
        this.p++;
        const name = this.images[at] as string;
        const k = this.kinds[this.p];
        if (k === T.LBracket || k === T.LCurly) {
          const arg = k === T.LBracket ? this.valueList() : this.block();
          return { kind: "Word", name, arg, span: this.from(at, this.p - 1) };
        }
        return { kind: "Word", name, span: this.tok(at) };
      }
    }
    return bail();
  }

  /** True when token `i` can start a value. */
  protected startsValue(i: number): boolean {
    switch (this.kinds[i]) {
      case T.Str: case T.Triple: case T.Num: case T.Duration: case T.True: case T.False: case T.Null:
      case T.Minus: case T.LBracket: case T.LCurly: case T.Word:
        return true;
    }
    return false;
  }

  /** list = "[" (value ","?)* "]" */
  protected valueList(): A.ListValue {
    const open = this.eat(T.LBracket);
    const items: A.Value[] = [];
    while (this.startsValue(this.p)) {
      items.push(this.value());
      this.opt(T.Comma);
    }
    const close = this.eat(T.RBracket);
    return { kind: "List", items, span: this.from(open, close) };
  }

  /** block = "{" (IDENT ":"? value (","|";")?)* "}" */
  protected block(): A.Block {
    const { entries, span } = this.keyedEntries("BlockEntry", () => this.value());
    return { kind: "Block", entries, span };
  }
}
