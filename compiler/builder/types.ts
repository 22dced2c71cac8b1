/**
 * Typed state for the builder API: `t.string()`, `t.list(t.integer()).reducer("append")`,
 * … describe a field's `TypeSpec` and `ReducerSpec` (`language.md` §2.2) and carry the
 * field's TypeScript value type, so a builder's state type is inferred from its fields
 * (the zod idea: the schema object is the type).
 *
 * A `TypeDef` is immutable; every method returns a new one.
 */
import type { FieldSpec, Json, ReducerName, TypeSpec } from "../blueprint.js";
import { canonicalReducer } from "../resolve/reducers.js";

/** A chat message as it lives in a `messages` channel (the registry's `ChatMessage`, structurally). */
export interface MessageValue {
  readonly id: string;
  readonly role: "system" | "user" | "assistant" | "tool";
  readonly content: string;
  readonly [key: string]: unknown;
}

/** Reducer spellings the builder accepts: canonical names and the `language.md` §6 aliases. */
export type ReducerWord = ReducerName | "last_value" | "last_write" | "reducer";

/** The reducer part of a field, before it is lowered. */
export interface ReducerChoice {
  readonly word: ReducerWord;
  readonly args: readonly Json[];
}

/**
 * A field type with its TypeScript value type `T`, and optionally a reducer and a
 * default. Build one with `t`.
 */
export class TypeDef<T> {
  /** Phantom: the TypeScript value type (never set at run time). */
  declare readonly __value: T;

  constructor(
    readonly spec: TypeSpec,
    readonly reducerChoice?: ReducerChoice,
    readonly defaultValue?: Json,
  ) {}

  /** Optional (`type?`): the value may be null. */
  optional(): TypeDef<T | null> {
    return new TypeDef<T | null>({ ...this.spec, optional: true }, this.reducerChoice, this.defaultValue);
  }

  /**
   * The channel's reducer (`language.md` §2.2), e.g. `.reducer("append")`,
   * `.reducer("barrier", 2)`. Default: `messages` for `t.messages()`, `overwrite` otherwise.
   */
  reducer(word: ReducerWord, ...args: Json[]): TypeDef<T> {
    return new TypeDef<T>(this.spec, { word, args }, this.defaultValue);
  }

  /** A registered reducer function (`aggregate "fn"`): `fn(current, write)` folds each write. */
  aggregate(fn: string, ...args: Json[]): TypeDef<T> {
    return new TypeDef<T>(this.spec, { word: "aggregate", args: [fn, ...args] }, this.defaultValue);
  }

  /** The value before any write (`= literal`). */
  default(value: T & Json): TypeDef<T> {
    return new TypeDef<T>(this.spec, this.reducerChoice, value);
  }
}

/** The value type a `TypeDef` describes. */
export type ValueOf<D> = D extends TypeDef<infer T> ? T : never;

/** A record of fields → the object type of their values. */
export type ValuesOf<F extends Record<string, TypeDef<unknown>>> = { [K in keyof F]: ValueOf<F[K]> };

type Fields = Record<string, TypeDef<unknown>>;

/** Type constructors for state fields, input/output fields, record types and schemas. */
export const t = {
  string: (): TypeDef<string> => new TypeDef({ type: "string" }),
  number: (): TypeDef<number> => new TypeDef({ type: "number" }),
  integer: (): TypeDef<number> => new TypeDef({ type: "integer" }),
  boolean: (): TypeDef<boolean> => new TypeDef({ type: "boolean" }),
  any: (): TypeDef<unknown> => new TypeDef({ type: "any" }),
  /** A conversation: a list of chat messages, merged by id (default reducer `messages`). */
  messages: (): TypeDef<MessageValue[]> => new TypeDef({ type: "messages" }),
  /** `list<T>` (also written `T[]`). */
  list: <T>(items: TypeDef<T>): TypeDef<T[]> => new TypeDef({ type: "list", items: items.spec }),
  /** `map<T>`: string keys. */
  map: <T>(values: TypeDef<T>): TypeDef<Record<string, T>> => new TypeDef({ type: "map", values: values.spec }),
  /** An inline record type `{ a: string, b: integer }`. */
  record: <F extends Fields>(fields: F): TypeDef<ValuesOf<F>> => new TypeDef({ type: "record", fields: fieldSpecs(fields) }),
  /** A string enum `"a" | "b"`. */
  enum: <const V extends readonly string[]>(...values: V): TypeDef<V[number]> => new TypeDef({ type: "enum", values: [...values] }),
  /** A named schema (`GraphBuilder.schema`) or a registered one; `T` is up to the caller. */
  ref: <T = unknown>(name: string): TypeDef<T> => new TypeDef({ type: "ref", name }),
};

/** The span builder-made IR carries: there is no source text. */
export const NO_SPAN = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } as const;

/** Canonical reducer of a choice, like the compiler's `lowerReducer` (unknown words are registered functions). */
export function lowerReducerChoice(choice: ReducerChoice | undefined, type: TypeSpec): FieldSpec["reducer"] {
  if (!choice) return { name: type.type === "messages" ? "messages" : "overwrite", args: [] };
  const canon = canonicalReducer(choice.word);
  const args = [...choice.args];
  if (canon === "aggregate") {
    const fn = choice.word === "reducer" || choice.word === "aggregate" ? (typeof args[0] === "string" ? args[0] : undefined) : undefined;
    return { name: "aggregate", args: fn !== undefined ? args.slice(1) : args, ...(fn !== undefined ? { fn } : {}) };
  }
  if (!canon) return { name: "aggregate", args, fn: choice.word };
  return { name: canon, args };
}

/** One field of a state, input, output or record. */
export function fieldSpec(name: string, def: TypeDef<unknown>): FieldSpec {
  return {
    name,
    type: def.spec,
    reducer: lowerReducerChoice(def.reducerChoice, def.spec),
    ...(def.defaultValue !== undefined ? { default: def.defaultValue } : {}),
    span: NO_SPAN,
  };
}

export function fieldSpecs(fields: Fields): FieldSpec[] {
  return Object.entries(fields).map(([name, def]) => fieldSpec(name, def));
}

/** Value type of an untyped `channel NAME REDUCER` (type `any`, or messages). */
export type ChannelValue<R extends ReducerWord> = R extends "messages"
  ? MessageValue[]
  : R extends "append" | "union" | "topic"
    ? unknown[]
    : R extends "sum" | "barrier"
      ? number
      : R extends "min" | "max"
        ? number | null
        : R extends "named_barrier"
          ? string[]
          : R extends "merge"
            ? Record<string, unknown>
            : unknown;

/** Schema names a type refers to, transitively through `record`, `list` and `map`. */
export function refsOf(spec: TypeSpec, out: Set<string>): Set<string> {
  switch (spec.type) {
    case "ref":
      out.add(spec.name);
      break;
    case "list":
      refsOf(spec.items, out);
      break;
    case "map":
      refsOf(spec.values, out);
      break;
    case "record":
      for (const f of spec.fields) refsOf(f.type, out);
      break;
  }
  return out;
}
