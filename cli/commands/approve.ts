/**
 * `rag approve FILE [--graph NAME] [--config PATH] [--provenance WHO[:AUTHOR]] [--by NAME]
 * [--note TEXT] [--revoke]` (`--provenance` only for a file without a pragma): the review gate (`language.md` §7, registry/review.ts).
 * Compiles the file (a file with errors is never approved), prints what a reviewer
 * approves — graph, hash, who generated it, the capabilities it binds (registry node
 * kinds among them) — and records
 * the approval of each graph's exact hash in the project's `.rag/approvals.json`
 * (`--revoke` withdraws it). Any later semantic change gives a new hash, which needs a
 * new approval. Exit 0 done, 1 the file has errors, 2 usage or config errors.
 */
import { compile, reachReport, type Blueprint, type ReachReport } from "../../compiler/index.js";
import { approveBlueprint, reviewStatus } from "../../registry/index.js";
import { compileFailureStatus } from "../compile-failure.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, parseProvenance, readSource, useProjectApprovals } from "../files.js";

export interface ApproveOptions {
  readonly graph?: string;
  readonly config?: string;
  readonly provenance?: string;
  readonly by?: string;
  readonly note?: string;
  readonly revoke?: boolean;
  readonly json?: boolean;
}

export async function approveCommand(file: string, opts: ApproveOptions): Promise<number> {
  const source = readSource(file);
  const loaded = await loadConfig(configPathFor(file, opts.config));
  const store = useProjectApprovals(loaded.registry, file, loaded.path);
  const shown = displayPath(file);
  // `--provenance` is for files without a pragma: a file's pragma decides, as it does when
  // the file runs (`rag run`), so a generated file is never approved as a person's.
  const flag = opts.provenance ? parseProvenance(opts.provenance) : undefined;
  const r = compile(source, { file: shown, registry: loaded.registry.view(), ...(flag ? { defaultProvenance: flag } : {}) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) {
    const status = compileFailureStatus(r.diagnostics, { lines: r.value.lines, file: shown }, { json: Boolean(opts.json), exitCode: 1, message: `not approved: ${shown} has errors` });
    process.stderr.write(`not approved: ${shown} has errors\n`);
    return status;
  }
  let blueprints: readonly Blueprint[] = r.value.blueprints;
  if (opts.graph !== undefined) {
    blueprints = blueprints.filter((b) => b.id === opts.graph);
    if (!blueprints.length) throw new CliError(`graph \`${opts.graph}\` is not declared in ${shown} (graphs: ${r.value.blueprints.map((b) => b.id).join(", ") || "none"})`);
  }
  if (!blueprints.length) throw new CliError(`${shown} declares no graph`);
  const by = opts.by ?? process.env.USER ?? process.env.USERNAME;
  const out = (text: string) => void (opts.json ? undefined : process.stdout.write(text));
  const results: Record<string, unknown>[] = [];
  for (const bp of blueprints) {
    const reach = reachReport(bp, { agent: (n) => loaded.registry.agents.get(n), graph: (n) => loaded.registry.graphs.get(n), nodeKinds: () => loaded.registry.nodeKinds.keys(), ...(loaded.registry.policy ? { policy: loaded.registry.policy } : {}) });
    out(summary(bp, reach));
    if (flag && bp.provenance && bp.provenance.generatedBy !== flag.generatedBy) out(`  note: --provenance ${flag.generatedBy} ignored: the file's \`// rag:generated-by ${bp.provenance.generatedBy}\` pragma decides\n`);
    const entry = { graph: bp.id, hash: bp.hash, provenance: bp.provenance ?? null, capabilities: bp.capabilities, reaches: reach.reaches, refused: reach.refused.map((r) => ({ via: r.via, graph: r.graph, refusals: r.refusals.map((x) => ({ kind: x.kind, name: x.name, rule: x.rule, reason: x.reason })) })) };
    if (opts.revoke) {
      const revoked = store.revoke(bp.hash);
      out(revoked ? `  revoked\n` : `  was not approved\n`);
      results.push({ ...entry, status: revoked ? "revoked" : "not_approved" });
      continue;
    }
    const before = reviewStatus(loaded.registry, bp);
    const a = approveBlueprint(loaded.registry, bp, { ...(by ? { approvedBy: by } : {}), ...(opts.note ? { note: opts.note } : {}), source });
    out(`  approved${a.approvedBy ? ` by ${a.approvedBy}` : ""} at ${a.approvedAt}${before.required ? "" : " (policy does not require review for it)"}\n${a.note !== undefined ? `  note: ${a.note}\n` : ""}`);
    results.push({ ...entry, status: "approved", approvedBy: a.approvedBy ?? null, approvedAt: a.approvedAt, note: a.note ?? null, reviewRequired: before.required });
  }
  if (opts.json) process.stdout.write(JSON.stringify({ approvals: results, file: displayPath(store.path) }, null, 2) + "\n");
  else process.stdout.write(`approvals: ${displayPath(store.path)}\n`);
  return 0;
}

/**
 * What the reviewer approves: identity, provenance, every capability bound, what the
 * registered agents and graphs it binds may use when it runs (`reachReport`, the runtime's
 * own rule for child runs), and the registered graphs it binds that the runtime will
 * refuse to start, with why.
 */
function summary(bp: Blueprint, report: ReachReport): string {
  const via = new Map<string, string[]>();
  for (const c of report.reaches) {
    const list = via.get(c.via) ?? [];
    list.push(`${c.kind === "nodeKinds" ? "node kind" : c.kind.slice(0, -1)} ${c.name}`);
    via.set(c.via, list);
  }
  const reach = [...via].map(([path, uses]) => `    through ${path}: ${uses.join(", ")}`);
  const refused = report.refused.map((r) => `    ${r.via}: ${r.refusals.map((x) => `${x.kind.slice(0, -1)} ${x.name}`).join(", ")} (${r.refusals[0]!.reason})`);
  const caps = Object.entries(bp.capabilities)
    .filter(([k, v]) => v.length && k !== "reducers")
    .map(([k, v]) => `    ${k.padEnd(10)} ${v.join(", ")}`);
  const p = bp.provenance;
  return [
    `graph ${bp.id}  ${bp.hash}`,
    `  generated by ${p ? `${p.generatedBy}${p.author ? ` (${p.author})` : ""}${p.createdAt ? ` at ${p.createdAt}` : ""}` : "a person (no provenance)"}`,
    `  ${bp.nodes.length} node${bp.nodes.length === 1 ? "" : "s"}, ${bp.edges.length} edge${bp.edges.length === 1 ? "" : "s"}${bp.nodes.some((n) => n.sends?.length) ? ", with fan-out" : ""}`,
    ...(caps.length ? ["  binds:", ...caps] : ["  binds no registry capability"]),
    ...(reach.length ? ["  reaches (what the registered agents and graphs it binds may use here):", ...reach] : []),
    ...(refused.length ? ["  refused (registered graphs it binds that cannot run here; a run that reaches one fails):", ...refused] : []),
    ...(report.truncated ? ["  (the listing stopped after many graphs: it may be incomplete)"] : []),
    "",
  ].join("\n");
}
