/**
 * The resolver: symbol tables over the AST, shared by validation rules and lowering.
 * It never reports; rules do (duplicates keep the first declaration here and are
 * reported by the duplicate rules).
 */
import type * as A from "../../grammar/rag/ast.js";
import { GRAPH_ITEM_WORDS, KEYWORD_WORDS, NODE_ITEM_WORDS } from "../../grammar/rag/words.js";
import type { NodeKind } from "../blueprint.js";
import { canonicalKind, inferKind } from "./kinds.js";

/** Node items by their leading keyword. */
export interface ItemByKeyword {
  kind: A.KindItem;
  model: A.BindingItem;
  agent: A.BindingItem;
  graph: A.BindingItem;
  script: A.BindingItem;
  tool: A.BindingItem;
  route: A.BindingItem;
  system: A.TemplateItem;
  prompt: A.TemplateItem;
  tools: A.ListItem;
  sources: A.ListItem;
  options: A.ListItem;
  validate: A.ListItem;
  tags: A.ListItem;
  models: A.ListItem;
  agents: A.ListItem;
  graphs: A.ListItem;
  input: A.InputItem;
  output: A.OutputItem;
  resume: A.ResumeItem;
  approve: A.ListItem;
  budget: A.BlockItem;
  writes: A.WritesItem;
  set: A.SetItem;
  attach: A.AttachItem;
  next: A.NextItem;
  routes: A.RoutesItem;
  send: A.SendItem;
  sends: A.SendItem;
  join: A.JoinItem;
  command: A.CommandItem;
  blocking: A.FlagItem;
  optional: A.FlagItem;
  defer: A.FlagItem;
  persistent: A.FlagItem;
  retry: A.BlockItem;
  metadata: A.BlockItem;
  cache: A.BlockItem;
  timeout: A.TimeoutItem;
  max_steps: A.MaxStepsItem;
  on_error: A.OnErrorItem;
  checkpoint: A.CheckpointItem;
  steering: A.SteeringItem;
}
export type ItemKeyword = keyof ItemByKeyword;

/** A node or inline agent's items, grouped by keyword. */
export class ItemTable {
  /**
   * The keyword of each item (parallel to `items`; "" for an unknown item), interned so
   * that comparing one with a keyword literal is a pointer comparison. A node has a
   * handful of items, where scanning this list beats a map: the table used to hold a
   * Map and a list per keyword, i.e. per node of a 10,000-node graph some six objects
   * that lived to the end of the compile.
   */
  private readonly keys: string[];
  /** Whether some keyword is given more than once. */
  readonly repeated: boolean = false;

  constructor(readonly items: readonly A.NodeItem[]) {
    const n = items.length;
    const keys: string[] = new Array<string>(n);
    let seen: Set<string> | undefined;
    for (let i = 0; i < n; i++) {
      const item = items[i]!;
      if (item.kind === "UnknownItem") {
        keys[i] = "";
        continue;
      }
      const k = intern(item.keyword.name);
      if (!this.repeated) {
        if (i < 16) {
          for (let j = 0; j < i; j++) {
            if (keys[j] === k) {
              this.repeated = true;
              break;
            }
          }
        } else {
          if (!seen) seen = new Set(keys.slice(0, i));
          if (seen.has(k)) this.repeated = true;
          else seen.add(k);
        }
      }
      keys[i] = k;
    }
    this.keys = keys;
  }

  /** The first item with this keyword. */
  get<K extends ItemKeyword>(k: K): ItemByKeyword[K] | undefined {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) return this.items[i] as ItemByKeyword[K];
    return undefined;
  }

  /** Every item with this keyword, in source order. */
  all<K extends ItemKeyword>(k: K): ItemByKeyword[K][] {
    const out: ItemByKeyword[K][] = [];
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) out.push(this.items[i] as ItemByKeyword[K]);
    return out;
  }

  has(k: ItemKeyword): boolean {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) return true;
    return false;
  }

  /** The keyword of `items[i]` ("" for an unknown item), without reading the item. */
  keywordAt(i: number): string {
    return this.keys[i]!;
  }

  /** The distinct keywords, in order of first appearance. */
  keywords(): string[] {
    const out: string[] = [];
    for (const k of this.keys) if (k !== "" && !out.includes(k)) out.push(k);
    return out;
  }
}

/**
 * Interned item keywords (`ItemTable`): the front end's keyword literals, by value. A
 * word that is no keyword (an unknown item, reported) keeps its own string: it then
 * compares by content, with the same result.
 */
const INTERNED: ReadonlyMap<string, string> = new Map([...KEYWORD_WORDS, ...NODE_ITEM_WORDS, ...GRAPH_ITEM_WORDS].map((w) => [w, w]));
function intern(k: string): string {
  return INTERNED.get(k) ?? k;
}

export interface ResolvedNode {
  readonly decl: A.NodeDecl;
  readonly name: string;
  /** Position in its graph's `nodeList` (-1 for a node resolved on its own); numbers the flow graph's vertices. */
  readonly index: number;
  readonly items: ItemTable;
  /** Canonical kind: written (alias resolved) or inferred; the written word when it is no built-in kind. */
  readonly kind: NodeKind | string;
  /** The `kind` item; undefined when there is none. */
  readonly kindItem: A.KindItem | undefined;
  /** The `send`/`sends` items (both spellings), in order. */
  readonly sends: readonly A.SendItem[];
  /** What `model "x"` names on this node (§6): a model, the graph of a subgraph node, or a router's route function. */
  readonly modelMeaning: "model" | "graph" | "route";
}

export interface ResolvedField {
  readonly name: A.Identifier;
  /** A `channel` item, or a field of a `state` block. */
  readonly source: A.ChannelItem | A.Field;
}

export interface ResolvedGraph {
  readonly decl: A.GraphDecl;
  readonly name: string;
  /** First declaration of each node name. */
  readonly nodes: ReadonlyMap<string, ResolvedNode>;
  /** Every node declaration, duplicates included, in source order. */
  readonly nodeList: readonly ResolvedNode[];
  /** First declaration of each state field / channel. */
  readonly fields: ReadonlyMap<string, ResolvedField>;
  readonly fieldList: readonly ResolvedField[];
  readonly starts: readonly A.StartItem[];
  readonly edges: readonly A.EdgeItem[];
  /** Per source node name, the refs of top-level edges leaving it (`a` of `a -> b`), in source order. */
  readonly edgesFrom: ReadonlyMap<string, readonly { readonly from: A.NodeRef; readonly to: A.NodeRef; readonly edge: A.EdgeItem }[]>;
  readonly joinEdges: readonly A.JoinEdgeItem[];
  readonly interrupts: readonly A.InterruptAroundItem[];
  readonly policies: readonly A.PolicyItem[];
  readonly configs: readonly A.ConfigItem[];
  readonly tags: readonly A.TagsItem[];
  readonly allows: readonly A.AllowItem[];
  readonly io: readonly A.IoItem[];
}

export interface ResolvedAgent {
  readonly decl: A.AgentDecl;
  readonly name: string;
  readonly items: ItemTable;
}

export interface ResolvedProgram {
  readonly program: A.Program;
  readonly graphs: readonly ResolvedGraph[];
  /** First declaration of each graph name. */
  readonly graphByName: ReadonlyMap<string, ResolvedGraph>;
  readonly agents: ReadonlyMap<string, ResolvedAgent>;
  readonly agentList: readonly ResolvedAgent[];
  readonly schemas: ReadonlyMap<string, A.SchemaDecl>;
  readonly schemaList: readonly A.SchemaDecl[];
}

export function resolveProgram(program: A.Program): ResolvedProgram {
  const graphs: ResolvedGraph[] = [];
  const graphByName = new Map<string, ResolvedGraph>();
  const agents = new Map<string, ResolvedAgent>();
  const agentList: ResolvedAgent[] = [];
  const schemas = new Map<string, A.SchemaDecl>();
  const schemaList: A.SchemaDecl[] = [];
  for (const item of program.items) {
    if (item.kind === "GraphDecl") {
      const g = resolveGraph(item);
      graphs.push(g);
      if (g.name && !graphByName.has(g.name)) graphByName.set(g.name, g);
    } else if (item.kind === "AgentDecl") {
      const a: ResolvedAgent = { decl: item, name: item.name.name, items: new ItemTable(item.items) };
      agentList.push(a);
      if (a.name && !agents.has(a.name)) agents.set(a.name, a);
    } else {
      schemaList.push(item);
      if (item.name.name && !schemas.has(item.name.name)) schemas.set(item.name.name, item);
    }
  }
  return { program, graphs, graphByName, agents, agentList, schemas, schemaList };
}

/** The shared empty list and map of `resolveGraph` (read-only: never written through). */
const NONE: readonly never[] = Object.freeze([]);
const NO_ENTRIES: ReadonlyMap<string, never> = new Map<string, never>();

function resolveGraph(decl: A.GraphDecl): ResolvedGraph {
  const nodes = new Map<string, ResolvedNode>();
  const nodeList: ResolvedNode[] = [];
  // Lists and maps a graph does not use are shared empty ones (most graphs use few kinds of item).
  let fields: Map<string, ResolvedField> | undefined;
  let fieldList: ResolvedField[] | undefined;
  let starts: A.StartItem[] | undefined;
  let edges: A.EdgeItem[] | undefined;
  let joinEdges: A.JoinEdgeItem[] | undefined;
  let interrupts: A.InterruptAroundItem[] | undefined;
  let policies: A.PolicyItem[] | undefined;
  let configs: A.ConfigItem[] | undefined;
  let tags: A.TagsItem[] | undefined;
  let allows: A.AllowItem[] | undefined;
  let io: A.IoItem[] | undefined;
  for (const item of decl.items) {
    switch (item.kind) {
      case "NodeDecl": {
        const n = resolveNode(item, nodeList.length);
        nodeList.push(n);
        if (n.name && !nodes.has(n.name)) nodes.set(n.name, n);
        break;
      }
      case "ChannelItem":
        addField((fields ??= new Map()), (fieldList ??= []), { name: item.name, source: item });
        break;
      case "StateItem":
        for (const f of item.fields) addField((fields ??= new Map()), (fieldList ??= []), { name: f.name, source: f });
        break;
      case "StartItem":
        (starts ??= []).push(item);
        break;
      case "EdgeItem":
        (edges ??= []).push(item);
        break;
      case "JoinEdgeItem":
        (joinEdges ??= []).push(item);
        break;
      case "InterruptAroundItem":
        (interrupts ??= []).push(item);
        break;
      case "PolicyItem":
        (policies ??= []).push(item);
        break;
      case "ConfigItem":
        (configs ??= []).push(item);
        break;
      case "TagsItem":
        (tags ??= []).push(item);
        break;
      case "AllowItem":
        (allows ??= []).push(item);
        break;
      case "IoItem":
        (io ??= []).push(item);
        break;
      case "UnknownItem":
        break;
    }
  }
  const edgesFrom = edges ? new Map<string, { from: A.NodeRef; to: A.NodeRef; edge: A.EdgeItem }[]>() : undefined;
  if (edgesFrom) for (const edge of edges!) {
    for (let i = 0; i + 1 < edge.refs.length; i++) {
      const from = edge.refs[i];
      const list = edgesFrom.get(from.name);
      const entry = { from, to: edge.refs[i + 1], edge };
      if (list) list.push(entry);
      else edgesFrom.set(from.name, [entry]);
    }
  }
  return {
    decl,
    name: decl.name.name,
    nodes,
    nodeList,
    fields: fields ?? NO_ENTRIES,
    fieldList: fieldList ?? NONE,
    starts: starts ?? NONE,
    edges: edges ?? NONE,
    edgesFrom: edgesFrom ?? NO_ENTRIES,
    joinEdges: joinEdges ?? NONE,
    interrupts: interrupts ?? NONE,
    policies: policies ?? NONE,
    configs: configs ?? NONE,
    tags: tags ?? NONE,
    allows: allows ?? NONE,
    io: io ?? NONE,
  };
}

function addField(fields: Map<string, ResolvedField>, fieldList: ResolvedField[], f: ResolvedField): void {
  if (!f.name.name) return;
  fieldList.push(f);
  if (!fields.has(f.name.name)) fields.set(f.name.name, f);
}

const NO_SENDS: readonly A.SendItem[] = [];
const bySourceOrder = (a: A.SendItem, b: A.SendItem) => a.span.start.offset - b.span.start.offset;

/** The evidence `inferKind` reads, over an item table (no closure per node). */
class TableEvidence {
  constructor(
    private readonly items: ItemTable,
    readonly conditionRoutesOnly: boolean,
  ) {}
  has(k: string): boolean {
    return this.items.has(k as ItemKeyword);
  }
}

function conditionRoutesOnly(routes: readonly A.Route[]): boolean {
  if (!routes.length) return false;
  for (const r of routes) if (r.kind === "LabelRoute") return false;
  return true;
}

/**
 * Whether `n` is the first declaration of its name in `g` (what `g.nodes` maps the name
 * to). When the graph has as many names as declarations, every node is (all names are
 * distinct and non-empty), and no map lookup is made: rules and lowering ask this for
 * every node.
 */
export function isFirstDeclaration(g: ResolvedGraph, n: ResolvedNode): boolean {
  return g.nodes.size === g.nodeList.length || g.nodes.get(n.name) === n;
}

/** `index`: the node's position in its graph's `nodeList` (-1 when resolved on its own). */
export function resolveNode(decl: A.NodeDecl, index = -1): ResolvedNode {
  const items = new ItemTable(decl.items);
  const kindItem = items.get("kind");
  const routes = items.get("routes")?.routes ?? [];
  const kind = kindItem && kindItem.value.name
    ? (canonicalKind(kindItem.value.name) ?? kindItem.value.name)
    : inferKind(new TableEvidence(items, conditionRoutesOnly(routes)));
  // Both spellings, in source order; most nodes send nothing (one shared empty list).
  const sends = items.has("send") || items.has("sends") ? [...items.all("send"), ...items.all("sends")].sort(bySourceOrder) : NO_SENDS;
  const modelMeaning = kind === "subgraph" && !items.has("graph") ? "graph" : kind === "router" && !items.has("route") ? "route" : "model";
  // `kindItem` always present (undefined without a `kind` item): one object shape for
  // every node, where adding it only to some nodes gave two, and made every rule's
  // reads of `n.items`, `n.kind`, … polymorphic.
  return { decl, name: decl.name.name, index, items, kind, kindItem, sends, modelMeaning };
}

/** Names of a list value's items (strings and bare words). */
export function listNames(list: A.ListValue | undefined): { name: string; span: A.ListValue["span"] }[] {
  if (!list) return [];
  const out: { name: string; span: A.ListValue["span"] }[] = [];
  for (const v of list.items) {
    if (v.kind === "String") out.push({ name: v.value, span: v.span });
    else if (v.kind === "Word" && v.name) out.push({ name: v.name, span: v.span });
  }
  return out;
}
