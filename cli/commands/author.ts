/**
 * `rag author "TASK" [--config PATH] [--model NAME] [--out FILE] [--rounds N]
 * [--record|--replay CASSETTE] [--json]`: a model writes a `.rag` file for the task
 * (issue 15 §4). The model — any of the registry's (openai, anthropic, an
 * OpenAI-compatible URL), called through the registry and its middleware — receives
 * the grammar card with the registry's signatures (`rag spec --config`) and the task.
 * Its file gets the machine fixes (`rag check --fix`); the `rag check` errors left, or
 * else `rag simulate`'s runtime errors and violated assertions (with `rag check`'s
 * warnings), go back to it for up to N repair rounds (default 3). A file that compiles
 * and simulates clean but has warnings (a counter that never counts, a field nothing
 * writes…) goes back once more with them, within the N rounds: the model may fix them or
 * keep the file, and is never asked again; if that repair breaks the file, the clean one
 * is kept. The warnings left are listed in the summary and the JSON. The result is written with a `// rag:generated-by`
 * pragma (so review policies treat it as generated) and a review summary is printed:
 * what it binds, the graph as text (Mermaid), simulate's paths. The workflow itself
 * never runs. Exit 0 when the file compiles and simulates clean, 1 when it does not
 * after the last round (it is still written, for a person to look at), 2 on usage errors.
 */
import { writeFileSync } from "node:fs";
import { compile, exportGraph, fixAll, PLAIN_STYLE, provenancePragma, renderDiagnostics, type Blueprint, type Provenance } from "../../compiler/index.js";
import type { Diagnostic } from "../../grammar/diagnostic.js";
import { exportRegistry, type ChatMessage, type Registry } from "../../registry/index.js";
import type { SimReport } from "../../simulate/index.js";
import { authorSystemPrompt, authorTaskPrompt, extractSource, repairPrompt, warningsPrompt, withoutProvenancePragma } from "../author-prompt.js";
import { useCassette } from "../cassette.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig } from "../files.js";
import { renderSimReport } from "../simulate-report.js";
import { simulateSource } from "./simulate.js";

export interface AuthorOptions {
  readonly config?: string;
  readonly model?: string;
  readonly out?: string;
  readonly rounds?: string;
  readonly record?: string;
  readonly replay?: string;
  readonly json?: boolean;
}

/** Longest task text, characters. */
const MAX_TASK = 20_000;

/** `--model`, else a model called `author`, else `default`, else the only model. */
function pickModel(registry: Registry, name: string | undefined): string {
  const names = [...registry.models.keys()];
  if (name !== undefined) {
    if (!registry.models.has(name)) throw new CliError(`--model ${name} is not a model of the registry (models: ${names.join(", ") || "none"})`);
    return name;
  }
  for (const n of ["author", "default"]) if (registry.models.has(n)) return n;
  if (names.length === 1) return names[0];
  throw new CliError(names.length ? `several models are registered (${names.join(", ")}); pick one with --model` : "the registry has no model: add one to rag.config.ts (e.g. { provider: \"openai\", model: \"gpt-4o-mini\" })");
}

interface Attempt {
  readonly source: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly blueprint?: Blueprint;
  readonly report?: SimReport;
  /** What goes back to the model, when something is wrong. */
  readonly problem?: { readonly what: "check" | "simulate"; readonly text: string };
  /** `rag check`'s warnings, rendered against the file the model sees (empty when none). */
  readonly warnings: string;
}

/** The warnings of `ds`. */
const warningsOf = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "warning");

/** Failures of a simulation report, as the repair message lists them. */
function simulateProblems(r: SimReport): string {
  return [...r.errors.map((e) => `- runtime error on a path: ${e.message}`), ...r.violations.map((v) => `- line ${v.line} \`${v.assertion}\` is violated: ${v.message}`)].slice(0, 20).join("\n");
}

export async function authorCommand(task: string, opts: AuthorOptions): Promise<number> {
  if (!task.trim()) throw new CliError("give the task as text: rag author \"what the workflow should do\"");
  if (task.length > MAX_TASK) throw new CliError(`the task is ${task.length} characters; the limit is ${MAX_TASK}`);
  const maxRounds = opts.rounds === undefined ? 3 : Number(opts.rounds);
  if (!Number.isInteger(maxRounds) || maxRounds < 0 || maxRounds > 10) throw new CliError(`--rounds must be an integer from 0 to 10, not ${opts.rounds}`);
  const cfg = configPathFor(undefined, opts.config) ?? configPathFor("./rag.config.ts", undefined);
  const loaded = await loadConfig(cfg);
  const registry = loaded.registry;
  const model = pickModel(registry, opts.model);
  const snapshot = exportRegistry(registry);
  const view = registry.view();
  const cassette = useCassette(registry, opts);
  const provenance: Provenance = { generatedBy: "model", author: registry.model(model).modelId, createdAt: new Date().toISOString(), note: "rag author" };
  // The name diagnostics show the model: fixed, so the conversation (and a cassette of it) does not depend on --out.
  const shown = "workflow.rag";
  const messages: ChatMessage[] = [
    { id: "author-system", role: "system", content: authorSystemPrompt(snapshot) },
    { id: "author-task", role: "user", content: authorTaskPrompt(task) },
  ];
  const check = async (text: string): Promise<Attempt> => {
    const source = fixAll(text, { file: shown, registry: view, provenance }).text;
    const r = compile(source, { file: shown, registry: view, provenance });
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length || !r.value.blueprints.length) {
      const text = errors.length ? renderDiagnostics(errors, { lines: r.value.lines, file: shown }, PLAIN_STYLE) : "the file declares no graph";
      return { source, diagnostics: r.diagnostics, problem: { what: "check", text }, warnings: "" };
    }
    const warnings = renderDiagnostics(warningsOf(r.diagnostics), { lines: r.value.lines, file: shown }, PLAIN_STYLE);
    const sim = await simulateSource(source, shown, { snapshot, real: registry }, {}).catch((e: unknown) => (e instanceof CliError ? e : Promise.reject(e)));
    if (sim instanceof CliError) return { source, diagnostics: r.diagnostics, blueprint: r.value.blueprints[0], problem: { what: "check", text: sim.message }, warnings };
    const report = sim.report;
    return { source, diagnostics: r.diagnostics, blueprint: r.value.blueprints[0], ...(report ? { report } : {}), ...(report && !report.ok ? { problem: { what: "simulate" as const, text: simulateProblems(report) } } : {}), warnings };
  };

  let attempt: Attempt | undefined;
  /** The last attempt that compiled and simulated clean (kept if the warnings' repair breaks the file). */
  let clean: Attempt | undefined;
  let warned = false;
  let round = 0;
  try {
    for (;;) {
      let reply;
      try {
        reply = await registry.chat(model, { messages, metadata: { node: "author" } });
      } catch (e) {
        throw new CliError(`model \`${model}\` failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      messages.push({ id: `author-reply-${round}`, role: "assistant", content: reply.message.content });
      attempt = await check(withoutProvenancePragma(extractSource(reply.message.content)));
      const errs = attempt.diagnostics.filter((d) => d.severity === "error").length;
      const warns = attempt.problem?.what === "check" ? 0 : warningsOf(attempt.diagnostics).length;
      if (!attempt.problem) clean = attempt;
      process.stderr.write(`round ${round}: ${attempt.problem ? (attempt.problem.what === "check" ? `${errs || 1} error${errs === 1 ? "" : "s"} from rag check` : "rag simulate found problems") : "compiles and simulates clean"}${warns ? ` (${warns} warning${warns === 1 ? "" : "s"})` : ""}\n`);
      // Warnings go back once, with a clean file: a model that cannot (or need not) fix them is not asked again.
      const sendWarnings = !attempt.problem && warns > 0 && !warned;
      if ((!attempt.problem && !sendWarnings) || round >= maxRounds) break;
      round++;
      if (attempt.problem) messages.push({ id: `author-repair-${round}`, role: "user", content: repairPrompt(attempt.problem.what, attempt.problem.text, attempt.warnings) });
      else {
        warned = true;
        messages.push({ id: `author-repair-${round}`, role: "user", content: warningsPrompt(attempt.warnings) });
      }
    }
  } finally {
    cassette?.finish();
  }
  if (attempt.problem && clean) {
    process.stderr.write("the last repair broke the file: the earlier version that compiles and simulates clean is kept\n");
    attempt = clean;
  }
  // Without --out the model's graph name names the file: it is created, never written
  // through what is there — `existsSync` is false for a dangling link, and writing
  // followed it (a link a cloned repository carried, `support.rag -> ~/.ssh/authorized_keys`,
  // took the model's text wherever it pointed). `wx` refuses any existing path, links included.
  const out = opts.out ?? `${attempt.blueprint?.id ?? "authored"}.rag`;
  const taken = () => new CliError(`${out} exists; choose the file to write with --out`);
  const text = `${provenancePragma(provenance)}\n${attempt.source}`;
  try {
    writeFileSync(out, text, opts.out ? {} : { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw taken();
    throw new CliError(`cannot write ${out}: ${(e as Error).message}`);
  }
  const ok = !attempt.problem;
  const bp = attempt.blueprint;
  const binds = bp ? Object.entries(bp.capabilities).filter(([, names]) => names.length).map(([kind, names]) => `${kind} ${names.join(", ")}`) : [];
  // Positions in the written file, which starts with the one-line pragma.
  const warnings = warningsOf(attempt.diagnostics).map((d) => ({ code: d.code, message: d.message, line: d.span.start.line + 1, column: d.span.start.column }));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ file: out, ok, rounds: round, model, graph: bp?.id, hash: bp?.hash, binds: bp?.capabilities, problem: attempt.problem?.text, warnings, simulate: attempt.report }, null, 2) + "\n");
    return ok ? 0 : 1;
  }
  const lines: string[] = [];
  lines.push(`wrote ${displayPath(out)}${bp ? ` (graph ${bp.id}, ${bp.hash.slice(0, 19)}…)` : ""} after ${round} repair round${round === 1 ? "" : "s"}; it has not run`);
  if (!ok) lines.push(`NOT READY: ${attempt.problem!.what === "check" ? "it still does not compile" : "rag simulate still finds problems"}:\n${attempt.problem!.text}`);
  if (bp) {
    lines.push(`binds: ${binds.join("; ") || "nothing from the registry"}`);
    lines.push("graph (Mermaid):", exportGraph(bp, "mermaid").trimEnd());
  }
  if (warnings.length) lines.push(`warnings (${warnings.length}) — check each before approving:`, ...warnings.map((w) => `  ${displayPath(out)}:${w.line}:${w.column} warning[${w.code}] ${w.message}`));
  if (attempt.report) lines.push(renderSimReport(attempt.report, 20));
  if (ok) lines.push(`review it, then approve this exact version: rag approve ${displayPath(out)}`);
  process.stdout.write(lines.join("\n") + "\n");
  return ok ? 0 : 1;
}

