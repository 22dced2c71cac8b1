/**
 * Typed interrupt answers (`language.md` §2.4, `resume { … }`): the one check of an answer
 * against its interrupt node's `resume` type. It runs twice on purpose: where a resume
 * command is accepted (`answerInterrupts`, before anything is saved, so a refused answer
 * leaves the question open and the thread `interrupted`), and in the node itself
 * (`stdlib/kinds/interrupt.ts`, which makes the checked answer the node's `result`).
 */
import type { z } from "zod";
import type { Blueprint, NodeSpec } from "../compiler/index.js";
import { payloadType, type AnswerCheckHook } from "../registry/index.js";
import { InvalidResumeError } from "./errors.js";
import { chosenOption, type AnswerCheck } from "./interrupt.js";
import { NS_SEPARATOR, parseNamespace } from "./namespace.js";
import { describeIssues, typeSchema } from "./schema.js";

/** A graph whose interrupt nodes can be found, its children's too (a `CompiledGraph`). */
export interface ResumeTypedGraph {
  readonly blueprint: Blueprint;
  /** The answer checks node kinds registered by payload `type` (`Registry.registerAnswerCheck`); child runs share them. */
  readonly registry?: { readonly answerChecks: ReadonlyMap<string, AnswerCheckHook> };
  subgraph?(name: string): ResumeTypedGraph | undefined;
}

/** The outcome of `typedAnswer`: the checked value (the node's `result`), or why it is refused. */
export type TypedAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly why: string };

const validators = new WeakMap<NodeSpec, z.ZodType>();

/** The labels of node `n`'s routes (`routes { approve -> … }`). */
export function routeLabels(bp: Blueprint, n: NodeSpec): readonly string[] {
  return bp.edges.filter((e) => e.kind === "route" && e.from === n.name).map((e) => (e as { label: string }).label);
}

/** The options an interrupt node offers: its `options`, else its route labels (`[]` for none). */
export function interruptOptions(bp: Blueprint, n: NodeSpec): readonly string[] {
  return n.options?.length ? n.options : routeLabels(bp, n);
}

/** The validator of node `n`'s `resume` type (made once per node); undefined when it has none. */
export function resumeValidator(bp: Blueprint, n: NodeSpec): z.ZodType | undefined {
  if (!n.resume) return undefined;
  let validator = validators.get(n);
  if (!validator) validators.set(n, (validator = typeSchema(n.resume, bp.schemas)));
  return validator;
}

/**
 * Checks `raw` against `n.resume` (a node without one takes any answer). With options the answer is an object
 * whose `choice` / `route` field picks one (checked elsewhere) and whose other fields are the
 * typed answer; the value returned then carries `choice` again.
 */
export function typedAnswer(bp: Blueprint, n: NodeSpec, raw: unknown): TypedAnswer {
  const validator = resumeValidator(bp, n);
  if (!validator) return { ok: true, value: raw };
  const options = interruptOptions(bp, n).length > 0;
  const isObject = raw !== null && typeof raw === "object" && !Array.isArray(raw);
  const fields = options && isObject ? Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "choice" && k !== "route")) : raw;
  const r = validator.safeParse(fields);
  if (!r.success) return { ok: false, why: `graph \`${bp.id}\`, interrupt node \`${n.name}\`: the answer does not match its \`resume\` type: ${describeIssues(r.error)}` };
  return { ok: true, value: options && isObject ? { ...(r.data as object), choice: chosenOption(raw) } : r.data };
}

/**
 * The check of answers for interrupts raised in `graph`'s run at namespace `ns` or in its
 * child runs (their namespace names each level's graph): first the check a node kind
 * registered for the payload's `type` (`Registry.registerAnswerCheck`; the stdlib's tool
 * approvals), then the typed answer of an interrupt node with `resume`. An interrupt of a
 * node without `resume`, or of a graph that cannot be found, passes the second (its node
 * judges the answer).
 */
export function typedAnswerCheck(graph: ResumeTypedGraph, threadId: string, ns = ""): AnswerCheck {
  const hooks = graph.registry?.answerChecks;
  return (i, value) => {
    if (i.kind !== "node") return;
    const type = hooks?.size ? payloadType(i.payload) : undefined;
    const hook = type !== undefined ? hooks!.get(type) : undefined;
    let refused: string | undefined;
    try {
      refused = hook?.(i, value, { threadId });
    } catch (e) {
      // A hook must not throw; one that does refuses the answer (a typed error, not a crash).
      refused = `the answer could not be checked (${e instanceof Error ? e.message : String(e)}); the question stays open`;
    }
    if (refused !== undefined) throw new InvalidResumeError(refused, { node: i.node, taskId: i.taskId });
    const bp = graphAt(graph, ns, i.namespace)?.blueprint;
    const n = bp?.nodes.find((x) => x.name === i.node);
    if (!bp || !n || n.kind !== "interrupt" || !n.resume) return;
    const r = typedAnswer(bp, n, value);
    if (!r.ok) throw new InvalidResumeError(`${r.why}; the question stays open (thread \`${threadId}\`, interrupt \`${i.id}\`): answer it again with a value of that type`, { graph: bp.id, node: n.name, taskId: i.taskId });
  };
}

/** The graph running at namespace `target`, from `graph` running at `ns`; undefined when `target` is not below `ns` or a level's graph is unknown. */
function graphAt(graph: ResumeTypedGraph, ns: string, target: string): ResumeTypedGraph | undefined {
  if (target === ns) return graph;
  const prefix = ns ? `${ns}${NS_SEPARATOR}` : "";
  if (!target.startsWith(prefix)) return undefined;
  let g: ResumeTypedGraph | undefined = graph;
  try {
    for (const seg of parseNamespace(target.slice(prefix.length))) g = g?.subgraph?.(seg.graph);
  } catch {
    return undefined;
  }
  return g;
}
