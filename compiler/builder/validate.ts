/**
 * Structural checks on a builder graph, with the compiler's diagnostic codes
 * (`language.md` §5): a start node, node references that exist, one way of routing per
 * node, writes into declared state, `state.x` paths that name a field, `join X` with a
 * fan-out, unique route labels, and — when a registry is given — known node kinds and
 * send targets. Builder IR has no source, so every diagnostic names the graph, node and
 * field in its message; spans are the empty span.
 *
 * Registry names (models, tools, agents, …) are checked when the blueprint is bound to
 * a registry (`CompiledGraph` throws one `BindError` listing every missing name).
 */
import { diagnostic, type Diagnostic } from "../../grammar/diagnostic.js";
import { didYouMean } from "../../grammar/suggest.js";
import type { Blueprint, EdgeSpec, ExprSpec, NodeSpec } from "../blueprint.js";
import { exprChildren } from "../expr-children.js";
import type { RegistryView } from "../registry-view.js";
import { FUNCTIONS } from "../expr/functions.js";
import { canonicalKind } from "../resolve/kinds.js";
import { CHECKPOINT_WORDS, INTERRUPT_WORDS } from "../rules/ItemValueRule.js";
import type { Declarations } from "./assemble.js";
import { NO_SPAN } from "./types.js";

function suggest(name: string, candidates: Iterable<string>): { help?: string } {
  const s = didYouMean(name, candidates);
  return s ? { help: `did you mean \`${s}\`?` } : {};
}

/** Every `state.KEY` path in an expression. */
function statePaths(e: ExprSpec, out: string[]): string[] {
  if (e.op === "get" && e.object.op === "var" && e.object.name === "state") out.push(e.key);
  else for (const c of exprChildren(e)) statePaths(c, out);
  return out;
}

/** Roots an expression may read (`language.md` §3); a send's comprehension variable is added where it is in scope. */
const ROOTS = new Set(["state", "input", "args", "run", "result"]);

/**
 * Unknown names (`E-rag-unknown-name`), unknown functions (`E-rag-unknown-function`)
 * and wrong arity (`E-rag-wrong-arity`) in one expression (the compiler's checks of
 * `compiler/expr/check.ts`, on the IR).
 */
function checkCalls(e: ExprSpec, vars: ReadonlySet<string>, where: string, report: (code: string, message: string, extras?: { help?: string }) => void): void {
  switch (e.op) {
    case "var":
      if (!ROOTS.has(e.name) && !vars.has(e.name)) report("E-rag-unknown-name", `${where}: \`${e.name}\` is not defined here`, suggest(e.name, [...ROOTS, ...vars]));
      break;
    case "get":
      checkCalls(e.object, vars, where, report);
      break;
    case "index":
      checkCalls(e.object, vars, where, report);
      checkCalls(e.index, vars, where, report);
      break;
    case "call": {
      const sig = FUNCTIONS[e.fn];
      if (!sig) report("E-rag-unknown-function", `${where}: \`${e.fn}\` is not a function`, suggest(e.fn, Object.keys(FUNCTIONS)));
      else if (e.args.length < sig.arity[0] || e.args.length > sig.arity[1]) {
        const [min, max] = sig.arity;
        report("E-rag-wrong-arity", `${where}: \`${e.fn}\` takes ${min === max ? min : max === Infinity ? `at least ${min}` : `${min} to ${max}`} argument${max === 1 ? "" : "s"}, got ${e.args.length}`);
      }
      for (const a of e.args) checkCalls(a, vars, where, report);
      break;
    }
    case "not":
    case "neg":
      checkCalls(e.arg, vars, where, report);
      break;
    case "bin":
      checkCalls(e.left, vars, where, report);
      checkCalls(e.right, vars, where, report);
      break;
    case "list":
      for (const i of e.items) checkCalls(i, vars, where, report);
      break;
    case "comp": {
      checkCalls(e.iterable, vars, where, report);
      const inner = new Set([...vars, e.variable]);
      checkCalls(e.element, inner, where, report);
      if (e.filter) checkCalls(e.filter, inner, where, report);
      break;
    }
    case "object":
      for (const en of e.entries) checkCalls(en.value, vars, where, report);
      break;
  }
}

const NO_VARS: ReadonlySet<string> = new Set();

/** Every expression of a node with the variables in scope there (a send's comprehension variable in its args). */
function scopedExprs(n: NodeSpec): [ExprSpec, ReadonlySet<string>][] {
  const out: [ExprSpec, ReadonlySet<string>][] = [];
  for (const e of nodeExprs(n, false)) out.push([e, NO_VARS]);
  for (const s of n.sends ?? []) {
    const vars = s.forEach ? new Set([s.forEach.variable]) : NO_VARS;
    if (s.forEach) out.push([s.forEach.iterable, NO_VARS]);
    if (s.args?.kind === "map") for (const f of s.args.fields) out.push([f.value, vars]);
  }
  return out;
}

/** Expressions of a node, for the `state.x` check. */
function nodeExprs(n: NodeSpec, withSends = true): ExprSpec[] {
  const out: ExprSpec[] = [];
  if (n.system) for (const p of n.system.parts) if ("expr" in p) out.push(p.expr);
  if (n.prompt) for (const p of n.prompt.parts) if ("expr" in p) out.push(p.expr);
  if (n.input?.kind === "map") for (const f of n.input.fields) out.push(f.value);
  if (n.writes?.kind === "map") for (const f of n.writes.fields) out.push(f.value);
  if (n.set) for (const f of n.set) out.push(f.value);
  if (n.attach) for (const f of n.attach) out.push(f.value);
  if (n.command?.update) for (const f of n.command.update) out.push(f.value);
  if (n.sends && withSends) {
    for (const s of n.sends) {
      if (s.forEach) out.push(s.forEach.iterable);
      if (s.args?.kind === "map") for (const f of s.args.fields) out.push(f.value);
    }
  }
  return out;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(["START", "END", "true", "false", "null"]);

/** Names must be writable in `.rag` (so every blueprint can be printed as source). */
function badName(name: string): string | undefined {
  if (!NAME.test(name)) return `\`${name}\` is not a name (letters, digits and \`_\`, not starting with a digit)`;
  if (RESERVED.has(name)) return `\`${name}\` is reserved`;
  return undefined;
}

/** Diagnostics for a builder graph: declaration problems first, then the structural checks. */
export function validate(d: Declarations, bp: Blueprint, registry: RegistryView | undefined): Diagnostic[] {
  const out: Diagnostic[] = [...d.problems];
  const g = d.id;
  const report = (code: string, message: string, extras: { help?: string } = {}) => out.push(diagnostic(code, message, NO_SPAN, extras));
  const nodes = new Set(bp.nodes.map((n) => n.name));
  const fields = new Set(bp.state.map((f) => f.name));

  const named = (what: string, name: string) => {
    const bad = badName(name);
    if (bad) report("E-rag-invalid-value", `graph \`${g}\`: ${what} ${bad}`);
  };
  named("the graph name", g);
  for (const n of bp.nodes) named("node name", n.name);
  for (const f of [...bp.state, ...(bp.input ?? []), ...(bp.output ?? [])]) named("field name", f.name);
  for (const a of bp.agents) named("agent name", a.name);
  for (const name of Object.keys(bp.schemas ?? {})) named("schema name", name);
  for (const e of bp.edges) if (e.kind === "route") named("route label", e.label);
  const policy = (word: string | undefined, words: readonly string[], what: string) => {
    if (word !== undefined && !words.includes(word)) report("E-rag-invalid-policy", `graph \`${g}\`: \`${word}\` is not a ${what} policy`, { help: didYouMean(word, words) ? `did you mean \`${didYouMean(word, words)}\`?` : `${what} policies: ${words.join(", ")}` });
  };
  policy(bp.checkpoint, CHECKPOINT_WORDS, "checkpoint");
  policy(bp.interrupts.policy, INTERRUPT_WORDS, "interrupt");
  for (const n of bp.nodes) {
    policy(n.checkpoint, CHECKPOINT_WORDS, "checkpoint");
    if (n.maxSteps !== undefined && (!Number.isInteger(n.maxSteps) || n.maxSteps < 1)) report("E-rag-invalid-value", `node \`${n.name}\` of graph \`${g}\`: \`maxSteps\` must be a positive integer, found ${n.maxSteps}`);
    if (n.timeoutMs !== undefined && !(n.timeoutMs > 0)) report("E-rag-invalid-value", `node \`${n.name}\` of graph \`${g}\`: \`timeoutMs\` must be a positive number of milliseconds, found ${n.timeoutMs}`);
    // As PersistentSubgraphRule checks a `.rag` node.
    if (n.persistent && n.kind === "subgraph") {
      if (n.blocking === false) report("E-rag-persistent-detached", `node \`${n.name}\` of graph \`${g}\` is both \`persistent: true\` and \`blocking: false\``, { help: "a persistent subgraph runs one call at a time; a detached call could overlap the next one — keep one of the two" });
      const off = ["none", "never"];
      if (off.includes(n.checkpoint ?? "") || off.includes(bp.checkpoint ?? "")) report("E-rag-persistent-without-checkpointer", `node \`${n.name}\` of graph \`${g}\` keeps its subgraph's state between calls (\`persistent: true\`), but checkpoints are off`, { help: "use checkpoint `sync`, `async` or `exit`, or drop `persistent`" });
    }
  }

  if (!bp.start.length) report("E-rag-missing-start", `graph \`${g}\` has no start node`, { help: "call `.start(node)` or add an edge from START" });
  for (const s of bp.start) if (!nodes.has(s)) report("E-rag-unknown-start", `graph \`${g}\`: start node \`${s}\` does not exist`, suggest(s, nodes));

  const target = (name: string, what: string, endOk = true) => {
    if (name === "START") report("E-rag-start-as-target", `graph \`${g}\`: \`START\` cannot be a ${what}`);
    else if (!nodes.has(name) && !(endOk && name === "END")) report("E-rag-unknown-node", `graph \`${g}\`: ${what} \`${name}\` does not exist`, suggest(name, nodes));
  };
  for (const e of bp.edges) {
    if (!nodes.has(e.from)) report("E-rag-unknown-node", `graph \`${g}\`: edge source \`${e.from}\` does not exist`, suggest(e.from, nodes));
    target(e.to, e.kind === "route" ? "route target" : e.kind === "goto" ? "`goto` target" : e.kind === "static" ? "edge target" : "route target");
  }
  for (const b of bp.barriers) {
    for (const s of b.sources) target(s, "join source", false);
    target(b.target, "join target");
  }
  for (const n of [...bp.interrupts.before, ...bp.interrupts.after]) target(n, "`interrupt` node", false);

  const edgesFrom = new Map<string, (typeof bp.edges)[number][]>();
  for (const e of bp.edges) {
    const list = edgesFrom.get(e.from);
    if (list) list.push(e);
    else edgesFrom.set(e.from, [e]);
  }
  const c: NodeCheck = { d, g, fields, nodes, registry, report, target };
  for (const n of bp.nodes) checkNode(c, n, edgesFrom.get(n.name) ?? []);
  for (const e of bp.edges) if (e.kind === "when") checkCalls(e.when, NO_VARS, `graph \`${g}\`: condition of route \`${e.from}\` → \`${e.to}\``, report);
  for (const e of bp.edges) if (e.kind === "when") for (const p of statePaths(e.when, [])) if (!fields.has(p)) report("E-rag-unknown-field", `graph \`${g}\`: condition of route \`${e.from}\` → \`${e.to}\` reads \`state.${p}\`, which is not a state field`, suggest(p, fields));
  return out;
}

interface NodeCheck {
  readonly d: Declarations;
  readonly g: string;
  readonly fields: ReadonlySet<string>;
  readonly nodes: ReadonlySet<string>;
  readonly registry: RegistryView | undefined;
  report(code: string, message: string, extras?: { help?: string }): void;
  target(name: string, what: string, endOk?: boolean): void;
}

function field(c: NodeCheck, n: NodeSpec, name: string, what: string, code = "E-rag-unknown-field"): void {
  if (!c.fields.has(name)) c.report(code, `node \`${n.name}\` of graph \`${c.g}\`: ${what} \`${name}\` is not a state field`, suggest(name, c.fields));
}

/** Routing, joins, writes, state paths, kind and send targets of one node. */
function checkNode(c: NodeCheck, n: NodeSpec, edges: readonly EdgeSpec[]): void {
  const { report, target, registry, d } = c;
  const where = `node \`${n.name}\` of graph \`${c.g}\``;
  if (edges.length > 1) {
    const ways = new Set(edges.map((e) => (e.kind === "static" ? (e.origin === "next" ? "`next`" : "a top-level edge") : e.kind === "goto" ? "`command goto`" : "`routes`")));
    if (ways.size > 1) report("E-rag-conflicting-routing", `${where} is routed both by ${[...ways].join(" and by ")}`, { help: "keep one way of choosing the successor: `next` (or edges) for a fixed successor, `routes` for a choice" });
    const labels = edges.flatMap((e) => (e.kind === "route" ? [e.label] : []));
    for (const l of new Set(labels.filter((x, i) => labels.indexOf(x) !== i))) report("E-rag-duplicate-route", `${where} declares route \`${l}\` twice`);
    if (edges.filter((e) => e.kind === "else").length > 1) report("E-rag-duplicate-route", `${where} has more than one \`else\` route`);
  }
  if (n.join) {
    target(n.join.target, "join target");
    if (!n.sends?.length) report("E-rag-join-without-send", `\`join ${n.join.target}\` on ${where} has no fan-out to wait for`, { help: "add `send` to this node, or use a top-level join" });
  }
  if (n.onError) target(n.onError, "`on_error` target");
  for (const s of n.sources ?? []) target(s, "join source", false);

  if (n.writes?.kind === "channel") field(c, n, n.writes.channel, "`writes` target");
  if (n.writes?.kind === "map") for (const f of n.writes.fields) field(c, n, f.key, "`writes` key");
  for (const f of n.set ?? []) field(c, n, f.key, "`set` key");
  for (const s of n.sends ?? []) if (s.into) field(c, n, s.into, "send result channel");
  if (n.command?.graph !== "parent") for (const f of n.command?.update ?? []) field(c, n, f.key, "`update` key", "W-rag-unknown-field");
  const exprs = nodeExprs(n);
  for (const e of exprs) for (const p of statePaths(e, [])) if (!c.fields.has(p)) report("E-rag-unknown-field", `${where} reads \`state.${p}\`, which is not a state field`, suggest(p, c.fields));
  // `scopedExprs` lists the same expressions (with their scopes): none when `exprs` is empty (most nodes).
  if (exprs.length) for (const [e, vars] of scopedExprs(n)) checkCalls(e, vars, where, report);

  if (registry?.nodeKinds && !registry.nodeKinds.has(n.kind) && !registry.nodeKinds.has(canonicalKind(n.kind) ?? n.kind)) {
    report("E-rag-invalid-node-kind", `${where}: \`${n.kind}\` is not a node kind`, suggest(n.kind, registry.nodeKinds));
  }
  for (const s of n.sends ?? []) {
    if (!registry || s.targetKind === "node" || d.agents.has(s.target) || d.graphs.has(s.target)) continue;
    const known = s.targetKind === "graph" ? registry.graphs === null || registry.graphs.has(s.target) : registry.agents === null || registry.agents.has(s.target);
    if (!known) report("E-rag-unknown-send-target", `${where}: send target \`${s.target}\` is not a node, agent or graph`, suggest(s.target, [...c.nodes, ...d.agents.keys(), ...(registry.agents ?? [])]));
  }
}
