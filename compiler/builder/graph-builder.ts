/**
 * `GraphBuilder`: a TypeScript API that produces the same Blueprint IR as the compiler
 * (`language.md` §7: "the same IR is what the TypeScript builder API produces"), after
 * LangGraph's `StateGraph` builder but declarative: nodes bind registry names and node
 * kinds, they hold no host code.
 *
 * ```ts
 * const bp = new GraphBuilder("map_reduce")
 *   .input({ items: t.list(t.string()) })
 *   .state({ results: t.list(t.string()).reducer("append"), total: t.integer() })
 *   .node("dispatch", { kind: "set", send: [{ to: "worker", forEach: { variable: "x", in: "input.items" }, args: { item: "x" } }], join: "reduce" })
 *   .node("worker", { kind: "set", set: { results: (x) => x.upper(x.arg("item")) } })
 *   .node("reduce", { kind: "set", set: { total: (x) => x.len(x.state("results")) } })
 *   .start("dispatch")
 *   .next("reduce", END)
 *   .build();
 * ```
 *
 * Typing: the builder's type parameters are the state `S`, the input `I` and the node
 * names `N`. `state`/`channel`/`input` widen `S`/`I`, `node` adds to `N`; so `writes`,
 * `set` keys, send `into` channels and the typed expressions' `x.state(key)` are checked
 * against the declared state, and `next`/`routes`/`when`/`edge`/`join` against the
 * declared nodes. Declare state and nodes before the methods that use them, and chain
 * the calls (each returns the builder with its widened type).
 *
 * Order matters only as it does in source: the builder's call order stands in for the
 * source order of a `.rag` file, so a builder graph declared in the same order as a file
 * has the same hash. `next`/`routes`/`when` on a node are the items inside `node … { }`;
 * `edge` and `join` are the top-level `a -> b` and `join [a, b] -> c`.
 */
import type { Diagnostic } from "../../grammar/diagnostic.js";
import { diagnostic } from "../../grammar/diagnostic.js";
import type { Blueprint, Json, Provenance } from "../blueprint.js";
import type { RegistryView } from "../registry-view.js";
import { assemble, settledNodes, type Declarations, type NodeDecl } from "./assemble.js";
import { resolveExpr, type ExprInput } from "./expr.js";
import { agentSpec, nodeSpec, type AgentOptions, type NodeOptions } from "./node-spec.js";
import { fieldSpec, fieldSpecs, NO_SPAN, TypeDef, type ChannelValue, type ReducerWord, type ValuesOf } from "./types.js";
import { validate } from "./validate.js";

/** The graph's entry, as an edge source (`START -> a`). */
export const START = "START";
/** The end of a branch, as a target (`next END`). */
export const END = "END";

type Fields = Readonly<Record<string, TypeDef<unknown>>>;
/** A node reference as a target: a declared node or `END`. */
export type Target<N extends string> = N | typeof END;

/** Options of `check` and `build`. */
export interface BuildOptions {
  /** Registry to resolve send targets against and check node kinds and send targets with. */
  readonly registry?: RegistryView;
}

/**
 * Thrown by `build()` when the graph has errors; `diagnostics` holds every problem
 * (codes as the compiler's, messages naming graph, node and field).
 */
export class GraphBuilderError extends Error {
  readonly code = "builder";
  constructor(
    readonly graph: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(`graph \`${graph}\` is not valid:\n${diagnostics.filter((d) => d.severity === "error").map((d) => `  ${d.code}: ${d.message}${d.help ? ` (${d.help})` : ""}`).join("\n")}`);
    this.name = "GraphBuilderError";
  }
}

/** The state type of a builder (`StateOf<typeof builder>`), e.g. to type `invoke` results. */
export type StateOf<B> = B extends GraphBuilder<infer S, infer _I, infer _N> ? S : never;
/** The input type of a builder. */
export type InputOf<B> = B extends GraphBuilder<infer _S, infer I, infer _N> ? I : never;

export class GraphBuilder<S extends object = {}, I extends object = {}, N extends string = never> {
  private readonly d: Declarations;
  /** Nodes by name (for constant-time lookups while building large graphs). */
  private readonly byName = new Map<string, NodeDecl>();
  private pos = 0;
  /** Sends whose `targetKind` was given explicitly (`node#index`). */
  private readonly explicitSends = new Set<string>();
  /** Records a declaration problem (one function for every node, not a closure per `node` call). */
  private readonly report = (x: Diagnostic): void => {
    this.d.problems.push(x);
  };

  /** @param id the graph name (`graph NAME { … }`). */
  constructor(id: string) {
    this.d = {
      id,
      state: [],
      schemas: new Map(),
      agents: new Map(),
      graphs: new Map(),
      nodes: [],
      edges: [],
      joins: [],
      starts: [],
      interrupts: { before: [], after: [] },
      defaults: {},
      metadata: {},
      tags: [],
      allow: {},
      provenance: { generatedBy: "builder" },
      problems: [],
    };
  }

  private problem(code: string, message: string): void {
    this.d.problems.push(diagnostic(code, message, NO_SPAN));
  }

  private addField(name: string, def: TypeDef<unknown> | ReturnType<typeof fieldSpec>): void {
    if (this.d.state.some((f) => f.name === name)) this.problem("E-rag-duplicate-field", `graph \`${this.d.id}\` declares state field \`${name}\` twice`);
    else this.d.state.push(def instanceof TypeDef ? fieldSpec(name, def) : def);
  }

  /** Typed state fields (`state { name: type reducer = default }`), e.g. `{ n: t.integer().reducer("sum") }`. */
  state<F extends Fields>(fields: F): GraphBuilder<S & ValuesOf<F>, I, N> {
    for (const [name, def] of Object.entries(fields)) this.addField(name, def);
    return this as never;
  }

  /** An untyped channel (`channel NAME REDUCER ARGS*`): type `any`, or `messages` for the messages reducer. */
  channel<K extends string, R extends ReducerWord>(name: K, reducer: R, ...args: Json[]): GraphBuilder<S & { [P in K]: ChannelValue<R> }, I, N> {
    const def = new TypeDef(reducer === "messages" ? { type: "messages" } : { type: "any" }).reducer(reducer, ...args);
    this.addField(name, def);
    return this as never;
  }

  /** The run input's shape (`input { … }`); checked when a run starts. */
  input<F extends Fields>(fields: F): GraphBuilder<S, I & ValuesOf<F>, N> {
    this.d.input = [...(this.d.input ?? []), ...fieldSpecs(fields)];
    return this as never;
  }

  /** The run result's shape (`output { … }`): the output projection of the final state. */
  output(fields: Fields): this {
    this.d.output = [...(this.d.output ?? []), ...fieldSpecs(fields)];
    return this;
  }

  /** A named record type (`schema NAME { … }`), referenced with `t.ref(NAME)`. */
  schema(name: string, fields: Fields): this {
    if (this.d.schemas.has(name)) this.problem("E-rag-duplicate-schema", `schema \`${name}\` is declared twice`);
    this.d.schemas.set(name, { type: "record", fields: fieldSpecs(fields) });
    return this;
  }

  /** An inline agent (`agent NAME { … }`), usable by `subagent` nodes and as a send target. */
  agent(name: string, options: AgentOptions<S, I>): this {
    if (this.d.agents.has(name)) this.problem("E-rag-duplicate-agent", `agent \`${name}\` is declared twice`);
    this.d.agents.set(name, agentSpec<S, I>(name, options, this.report));
    return this;
  }

  /** Graphs of the same program this graph calls as subgraphs (their hashes enter this graph's hash). */
  uses(...graphs: Blueprint[]): this {
    for (const g of graphs) this.d.graphs.set(g.id, g);
    return this;
  }

  /** A node (`node NAME { … }`): its kind, bindings and items; control flow comes from `next`/`routes`/`when`. */
  node<K extends string>(name: K, options: NodeOptions<S, I>): GraphBuilder<S, I, N | K> {
    if (this.byName.has(name)) {
      this.problem("E-rag-duplicate-node", `graph \`${this.d.id}\` declares node \`${name}\` twice`);
      return this as never;
    }
    const spec = nodeSpec<S, I>(name, options, this.report);
    if (options.send) options.send.forEach((s, i) => s.targetKind && this.explicitSends.add(`${name}#${i}`));
    const decl: NodeDecl = { name, pos: this.pos++, spec, flow: [] };
    this.d.nodes.push(decl);
    this.byName.set(name, decl);
    return this as never;
  }

  private flow(from: string): NodeDecl["flow"] {
    const n = this.byName.get(from);
    if (n) return n.flow;
    this.problem("E-rag-unknown-node", `graph \`${this.d.id}\`: routing is declared for \`${from}\`, which is not a node`);
    return [];
  }

  /** The entry node (`start X`). Several calls give several entry nodes. */
  start(node: N): this {
    this.d.starts.push(node);
    return this;
  }

  /** `next X` / `next [X, Y]` inside node `from`: fixed successors (several run in parallel). */
  next(from: N, to: Target<N> | readonly Target<N>[]): this {
    const flow = this.flow(from);
    for (const t of typeof to === "string" ? [to] : to) flow.push({ kind: "static", to: t });
    return this;
  }

  /** `routes { label -> X, … }` inside node `from`: the node (or its model) chooses a label. */
  routes(from: N, labels: Readonly<Record<string, Target<N>>>): this {
    const flow = this.flow(from);
    for (const [label, to] of Object.entries(labels)) flow.push({ kind: "route", label, to });
    return this;
  }

  /** `routes { when C -> X … else -> Y }` inside node `from`: the first true condition wins, in order. */
  when(from: N, cases: readonly (readonly [ExprInput<S, I>, Target<N>])[], otherwise?: Target<N>): this {
    const flow = this.flow(from);
    for (const [cond, to] of cases) flow.push({ kind: "when", when: resolveExpr<S, I>(cond, this.report), to });
    if (otherwise !== undefined) flow.push({ kind: "else", to: otherwise });
    return this;
  }

  /** A top-level edge chain `a -> b -> c` (`START` may come first: an entry). */
  edge(from: N | typeof START, to: Target<N>, ...more: Target<N>[]): this {
    const pos = this.pos++;
    const refs: string[] = [from, to, ...more];
    for (let i = 0; i + 1 < refs.length; i++) this.d.edges.push({ pos, from: refs[i], to: refs[i + 1] });
    return this;
  }

  /** A barrier `join [a, b] -> c`: `c` runs once after every source completed. */
  join(sources: readonly N[], target: Target<N>): this {
    this.d.joins.push({ pos: this.pos++, sources: [...sources], target });
    return this;
  }

  /** `interrupt before [..]` / `interrupt after [..]`: pause for a human around these nodes. */
  interrupt(when: "before" | "after", nodes: readonly N[]): this {
    this.d.interrupts[when].push(...nodes);
    return this;
  }

  /** Reference policy word `interrupt manual|auto`. */
  interruptPolicy(word: string): this {
    this.d.interrupts.policy = word;
    return this;
  }

  /** Durability policy `checkpoint inherit|none|sync|async|exit`. */
  checkpoint(policy: string): this {
    this.d.checkpoint = policy;
    return this;
  }

  /** `defaults { … }` (recursion_limit, concurrency, retry, …); durations in ms. */
  defaults(values: { readonly [key: string]: Json }): this {
    Object.assign(this.d.defaults, values);
    return this;
  }

  metadata(values: { readonly [key: string]: Json }): this {
    Object.assign(this.d.metadata, values);
    return this;
  }

  tags(...tags: string[]): this {
    this.d.tags.push(...tags);
    return this;
  }

  /** `allow KIND [names]`: what this graph may bind. */
  allow(kind: string, names: readonly string[]): this {
    this.d.allow[kind] = [...(this.d.allow[kind] ?? []), ...names];
    return this;
  }

  /** Who or what wrote the graph (outside the hash); default `{ generatedBy: "builder" }`. */
  provenance(p: Provenance): this {
    this.d.provenance = p;
    return this;
  }

  private blueprint(options: BuildOptions): Blueprint {
    return assemble(this.d, settledNodes(this.d, options.registry, this.explicitSends));
  }

  /** Every diagnostic (errors and warnings) of the graph as declared so far. */
  check(options: BuildOptions = {}): Diagnostic[] {
    return validate(this.d, this.blueprint(options), options.registry);
  }

  /**
   * The Blueprint IR, with its hash.
   *
   * @throws GraphBuilderError listing every error (unknown nodes or fields, a missing
   *   start, conflicting routing, expression syntax, …).
   */
  build(options: BuildOptions = {}): Blueprint {
    const bp = this.blueprint(options);
    const ds = validate(this.d, bp, options.registry);
    if (ds.some((x) => x.severity === "error")) throw new GraphBuilderError(this.d.id, ds);
    return bp;
  }
}
