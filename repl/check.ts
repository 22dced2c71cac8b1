/**
 * The static check a cell passes before it runs (`repl.md` §2–3):
 *
 * - every name it reads is defined (in the cell, the session namespace or the
 *   built-ins): `E-ragsh-unknown-name`, with did-you-mean;
 * - it never declares, assigns or shadows a reserved (built-in) name:
 *   `E-ragsh-reserved-name`;
 * - capability names written as literals — `model_query({model: "x"})`,
 *   `tool_call({tool: "x"})`, `agent_query({agent: "x"})`, `graph_run({graph: "x"})`
 *   and their batched forms — are registered: `E-ragsh-unknown-model` … with
 *   did-you-mean and a fix. Names computed at run time are checked at the call.
 *
 * Assigning an undeclared name creates a session variable (as at a JavaScript REPL's
 * top level), so assigned names count as defined.
 */
import type * as A from "../grammar/ragsh/ast.js";
import { diagnostic, type Diagnostic } from "../grammar/diagnostic.js";
import { didYouMean } from "../grammar/suggest.js";

/** Names a cell may bind capabilities to, by kind. */
export interface CapabilityNames {
  readonly models: ReadonlySet<string>;
  readonly tools: ReadonlySet<string>;
  readonly agents: ReadonlySet<string>;
  readonly graphs: ReadonlySet<string>;
}

export interface CheckInput {
  readonly program: A.Program;
  /** Names defined in the session namespace before this cell. */
  readonly globals: ReadonlySet<string>;
  /** Built-in (reserved) names. */
  readonly reserved: ReadonlySet<string>;
  readonly capabilities: CapabilityNames;
  readonly file?: string;
}

/** Host globals a script might reach for; each gets an explanation instead of a did-you-mean. */
const HOST_NAMES: ReadonlySet<string> = new Set(["process", "require", "eval", "Function", "globalThis", "global", "window", "self", "module", "exports", "setTimeout", "setInterval", "setImmediate", "queueMicrotask", "fetch", "XMLHttpRequest", "WebSocket", "Deno", "Bun", "Buffer", "Proxy", "Reflect", "Symbol", "Promise", "WebAssembly", "__dirname", "__filename"]);

/** Which property of which capability's argument names what. */
const LITERAL_ARGS: Readonly<Record<string, { key: string; kind: keyof CapabilityNames; code: string; noun: string }>> = {
  model_query: { key: "model", kind: "models", code: "E-ragsh-unknown-model", noun: "model" },
  model_query_batched: { key: "model", kind: "models", code: "E-ragsh-unknown-model", noun: "model" },
  tool_call: { key: "tool", kind: "tools", code: "E-ragsh-unknown-tool", noun: "tool" },
  tool_call_batched: { key: "tool", kind: "tools", code: "E-ragsh-unknown-tool", noun: "tool" },
  agent_query: { key: "agent", kind: "agents", code: "E-ragsh-unknown-agent", noun: "agent" },
  agent_query_batched: { key: "agent", kind: "agents", code: "E-ragsh-unknown-agent", noun: "agent" },
  graph_run: { key: "graph", kind: "graphs", code: "E-ragsh-unknown-graph", noun: "graph" },
  graph_run_batched: { key: "graph", kind: "graphs", code: "E-ragsh-unknown-graph", noun: "graph" },
};

/**
 * Most problems one cell's check lists; one more diagnostic counts the rest. Each unknown
 * name's did-you-mean compares it with every visible name: a 64 KiB cell of 9,000 unknown
 * names in a session of 16,000 variables held the process 144 s in the check, before the
 * cell's clock starts (red team 12), and listed all 9,000.
 */
export const MAX_CHECK_DIAGNOSTICS = 100;

/**
 * Most did-you-mean searches one cell's check makes (each compares a name with up to
 * 2,000 of the visible names, ~10 ms in a session of 16,000 variables); later problems
 * get the plain help.
 */
export const MAX_CHECK_SUGGESTIONS = 10;

export function checkCell(input: CheckInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const extras = input.file !== undefined ? { file: input.file } : {};
  /** Problems found past `MAX_CHECK_DIAGNOSTICS`: counted, never described (no did-you-mean is computed for them). */
  let unlisted: { n: number; code: string; span: A.Identifier["span"] } | undefined;
  /** True (and the problem counted) once the list is full: the caller skips the work of describing it. */
  const full = (code: string, span: A.Identifier["span"]) => {
    if (out.length < MAX_CHECK_DIAGNOSTICS) return false;
    unlisted = { n: (unlisted?.n ?? 0) + 1, code, span };
    return true;
  };
  const report = (code: string, message: string, span: A.Identifier["span"], more: Parameters<typeof diagnostic>[3] = {}) => {
    if (!full(code, span)) out.push(diagnostic(code, message, span, { ...extras, ...more }));
  };
  let suggestions = 0;
  /** `didYouMean`, for the first `MAX_CHECK_SUGGESTIONS` problems of the cell. */
  const suggest = (name: string, candidates: () => Iterable<string>) => (++suggestions > MAX_CHECK_SUGGESTIONS ? undefined : didYouMean(name, candidates()));

  // Names the cell defines at the top level or assigns anywhere, and graphs it registers by literal name.
  const cellGlobals = new Set<string>();
  const registered = new Set<string>();
  let registersUnnamed = false;
  const walkAll = (n: unknown, visit: (node: A.AnyNode) => void) => {
    const stack: unknown[] = [n];
    while (stack.length) {
      const x = stack.pop();
      if (Array.isArray(x)) stack.push(...x);
      else if (x && typeof x === "object" && typeof (x as { kind?: unknown }).kind === "string") {
        visit(x as A.AnyNode);
        for (const [k, v] of Object.entries(x)) if (k !== "span" && v && typeof v === "object") stack.push(v);
      } else if (x && typeof x === "object") for (const v of Object.values(x)) if (v && typeof v === "object") stack.push(v);
    }
  };
  for (const s of input.program.body) {
    if (s.kind === "VarDecl") for (const d of s.declarations) for (const id of patternNames(d.target)) cellGlobals.add(id.name);
    if (s.kind === "FunctionDecl") cellGlobals.add(s.name.name);
  }
  walkAll(input.program, (n) => {
    // `x = …` creates a session variable; `x += …` and `x++` read `x` first, so it must exist.
    if (n.kind === "Assign" && n.operator === "=" && n.target.kind === "Identifier") cellGlobals.add(n.target.name);
    if (n.kind === "ForOfStmt" && n.declKind === undefined && n.mode !== "rhai") for (const id of patternNames(n.target)) cellGlobals.add(id.name);
    // Graphs the cell may register before it runs them: named in graph_register or graph_define.
    if (n.kind === "Call" && n.callee.kind === "Identifier" && (n.callee.name === "graph_register" || n.callee.name === "graph_define")) {
      const name = literalProp(n.arguments[0], "name");
      if (name) registered.add(name.value);
      // `graph_register({graph: c})` registers under the compiled graph's own name, unknown here.
      else if (n.callee.name === "graph_register") registersUnnamed = true;
    }
  });

  const visible = (scopes: Set<string>[]) => [...scopes.flatMap((s) => [...s]), ...cellGlobals, ...input.globals, ...input.reserved];
  const declareName = (id: A.Identifier, scopes: Set<string>[]) => {
    if (input.reserved.has(id.name)) {
      report("E-ragsh-reserved-name", `\`${id.name}\` is a built-in name and cannot be redefined`, id.span, { label: "reserved", help: `choose another name, e.g. \`my_${id.name}\`` });
    }
    scopes[scopes.length - 1]?.add(id.name);
  };

  const expr = (e: A.Expression | A.Spread | undefined, scopes: Set<string>[]): void => {
    if (!e) return;
    switch (e.kind) {
      case "Identifier":
        if (!e.name) return;
        if (scopes.some((s) => s.has(e.name)) || cellGlobals.has(e.name) || input.globals.has(e.name) || input.reserved.has(e.name)) return;
        if (full("E-ragsh-unknown-name", e.span)) return;
        {
          const guess = HOST_NAMES.has(e.name) ? undefined : suggest(e.name, () => visible(scopes));
          report("E-ragsh-unknown-name", `\`${e.name}\` is not defined`, e.span, {
            label: "unknown name",
            ...(HOST_NAMES.has(e.name)
              ? { help: "a session has no route to the host: no modules, process, timers, filesystem, network or environment; use the capability functions (`model_query`, `tool_call`, `graph_run` …)" }
              : guess
                ? { help: `did you mean \`${guess}\`?`, fixes: [{ span: e.span, replacement: guess, description: `replace \`${e.name}\` with \`${guess}\`` }] }
                : { help: "declare it with `let` first" }),
          });
        }
        return;
      case "Spread":
        return expr(e.argument, scopes);
      case "Template":
        return e.expressions.forEach((x) => expr(x, scopes));
      case "Array":
        return e.elements.forEach((x) => expr(x, scopes));
      case "Object":
        return e.properties.forEach((p) => (p.kind === "Spread" ? expr(p, scopes) : (expr(p.computed, scopes), expr(p.value, scopes))));
      case "Function": {
        const fnScope = new Set<string>();
        const inner = [...scopes, fnScope];
        for (const p of e.params) for (const id of patternNames(p)) declareName(id, inner);
        if (e.body.kind === "BlockStmt") block(e.body.body, inner, fnScope);
        else expr(e.body, inner);
        return;
      }
      case "Unary":
        return expr(e.argument, scopes);
      case "Update":
        return assignTarget(e.target, scopes, true);
      case "Binary":
      case "Logical":
        return (expr(e.left, scopes), expr(e.right, scopes));
      case "Conditional":
        return (expr(e.test, scopes), expr(e.consequent, scopes), expr(e.alternate, scopes));
      case "Assign":
        return (assignTarget(e.target, scopes, e.operator !== "="), expr(e.value, scopes));
      case "Member":
        return expr(e.object, scopes);
      case "Index":
        return (expr(e.object, scopes), expr(e.index, scopes));
      case "Call":
        expr(e.callee, scopes);
        e.arguments.forEach((a) => expr(a, scopes));
        if (e.callee.kind === "Identifier") literalCapabilities(e.callee.name, e.arguments[0]);
        return;
      default:
        return;
    }
  };

  const assignTarget = (t: A.Identifier | A.MemberExpr | A.IndexExpr, scopes: Set<string>[], reads = false) => {
    if (t.kind === "Identifier") {
      if (input.reserved.has(t.name) && !scopes.some((s) => s.has(t.name))) report("E-ragsh-reserved-name", `\`${t.name}\` is a built-in name and cannot be assigned`, t.span, { label: "reserved", help: `store the value under another name, e.g. \`my_${t.name}\`` });
      else if (reads) expr(t, scopes);
      return;
    }
    expr(t, scopes);
  };

  const literalCapabilities = (callee: string, arg: A.Expression | A.Spread | undefined) => {
    const spec = LITERAL_ARGS[callee];
    if (!spec || !arg) return;
    const objects = arg.kind === "Array" ? arg.elements : [arg];
    for (const o of objects) {
      const lit = literalProp(o, spec.key);
      if (!lit) continue;
      const known = input.capabilities[spec.kind];
      if (known.has(lit.value) || (spec.kind === "graphs" && (registered.has(lit.value) || registersUnnamed))) continue;
      if (full(spec.code, lit.span)) continue;
      const candidates = spec.kind === "graphs" ? [...known, ...registered] : [...known];
      const guess = suggest(lit.value, () => candidates);
      report(spec.code, `${spec.noun} \`${lit.value}\` is not registered`, lit.span, {
        label: `unknown ${spec.noun}`,
        help: guess ? `did you mean \`${guess}\`?` : candidates.length ? `registered ${spec.noun}s: ${candidates.slice(0, 8).map((c) => `\`${c}\``).join(", ")}` : `no ${spec.noun} is registered`,
        ...(guess ? { fixes: [{ span: lit.span, replacement: JSON.stringify(guess), description: `replace \`${lit.value}\` with \`${guess}\`` }] } : {}),
      });
    }
  };

  const stmt = (s: A.Statement, scopes: Set<string>[], top: boolean): void => {
    switch (s.kind) {
      case "VarDecl":
        for (const d of s.declarations) {
          expr(d.init, scopes);
          for (const id of patternNames(d.target)) declareName(id, scopes);
        }
        return;
      case "FunctionDecl": {
        if (!top) declareName(s.name, scopes);
        else if (input.reserved.has(s.name.name)) declareName(s.name, scopes);
        const fnScope = new Set<string>();
        const inner = [...scopes, fnScope];
        for (const p of s.params) for (const id of patternNames(p)) declareName(id, inner);
        block(s.body.body, inner, fnScope);
        return;
      }
      case "IfStmt":
        expr(s.test, scopes);
        stmt(s.consequent, scopes, false);
        if (s.alternate) stmt(s.alternate, scopes, false);
        return;
      case "WhileStmt":
        expr(s.test, scopes);
        return stmt(s.body, scopes, false);
      case "ForOfStmt": {
        expr(s.iterable, scopes);
        const loop = new Set<string>();
        const inner = [...scopes, loop];
        for (const id of patternNames(s.target)) (s.declKind || s.mode === "rhai" ? declareName(id, inner) : assignTarget(id, scopes));
        return stmt(s.body, inner, false);
      }
      case "ForStmt": {
        const loop = new Set<string>();
        const inner = [...scopes, loop];
        if (s.init) stmt(s.init, inner, false);
        expr(s.test, inner);
        expr(s.update, inner);
        return stmt(s.body, inner, false);
      }
      case "ReturnStmt":
        return expr(s.argument, scopes);
      case "BlockStmt":
        return block(s.body, [...scopes, new Set()], undefined);
      case "ExprStmt":
        return expr(s.expression, scopes);
      default:
        return;
    }
  };

  /** A block: its function declarations are visible throughout (hoisting). */
  const block = (body: readonly A.Statement[], scopes: Set<string>[], scope: Set<string> | undefined) => {
    const own = scope ?? scopes[scopes.length - 1];
    for (const s of body) if (s.kind === "FunctionDecl") own.add(s.name.name);
    for (const s of body) stmt(s, scopes, false);
  };

  for (const s of input.program.body) stmt(s, [], true);
  if (unlisted) out.push(diagnostic(unlisted.code, `… and ${unlisted.n} more problem${unlisted.n === 1 ? "" : "s"} in this cell, not listed (a cell's check lists at most ${MAX_CHECK_DIAGNOSTICS})`, unlisted.span, { ...extras, help: "fix the problems listed first" }));
  return out;
}

/** The identifiers a pattern binds. */
export function patternNames(p: A.Pattern): A.Identifier[] {
  if (p.kind === "Identifier") return p.name ? [p] : [];
  if (p.kind === "ObjectPattern") return p.properties.map((x) => x.value);
  return p.elements.filter((x): x is A.Identifier => x !== null);
}

/** The string literal `key: "…"` of an object literal argument, if written so. */
function literalProp(arg: A.Expression | A.Spread | undefined, key: string): A.StringLiteral | undefined {
  if (!arg || arg.kind !== "Object") return undefined;
  for (const p of arg.properties) if (p.kind === "Property" && p.key === key && p.value.kind === "String") return p.value;
  return undefined;
}
