/**
 * `rag graph FILE [--format mermaid|dot|svg|json | --json] [--graph NAME] [--config PATH]`: a
 * picture of a graph from its Blueprint IR (issue 3 §5): labelled routes, `when`/`else`
 * conditions, sends and joins drawn distinctly, same-file subgraphs as clusters. `svg`
 * lays the DOT out with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz), so no
 * Graphviz install is needed. Diagnostics go to stderr; exit 1 when the file does not compile.
 * `--json` is `--format json` (the `GraphView`), and in JSON mode a file that does not
 * compile is `{"error": {"code": "compile", "message", "diagnostics"}}` on stdout.
 */
import { compileGraph, exportGraph, GRAPH_FORMATS, type Blueprint, type GraphFormat } from "../../compiler/index.js";
import { compileFailureStatus } from "../compile-failure.js";
import { CliError } from "../errors.js";
import { configPathFor, displayPath, loadConfig, readSource } from "../files.js";

export interface GraphCommandOptions {
  /** mermaid (default), dot, svg or json. */
  readonly format?: string;
  /** The same as `format: "json"`. */
  readonly json?: boolean;
  readonly graph?: string;
  readonly config?: string;
}

/** Largest graph `--format svg` lays out (nodes of the graph, edges of its DOT). */
export const MAX_SVG_NODES = 200;
export const MAX_SVG_EDGES = 1_000;

export async function graphCommand(file: string, opts: GraphCommandOptions): Promise<number> {
  if (opts.json && opts.format !== undefined && opts.format !== "json") throw new CliError(`--json and --format ${opts.format} exclude each other`);
  const requested = opts.json ? "json" : (opts.format ?? "mermaid");
  if (requested !== "svg" && !GRAPH_FORMATS.includes(requested as GraphFormat)) throw new CliError(`--format must be ${[...GRAPH_FORMATS, "svg"].join(", ")}; not ${requested}`);
  const source = readSource(file);
  const cfg = configPathFor(file, opts.config);
  const view = cfg ? (await loadConfig(cfg)).registry.view() : undefined;
  const shown = displayPath(file);
  const r = compileGraph(source, { file: shown, ...(view ? { registry: view } : {}), ...(opts.graph !== undefined ? { graph: opts.graph } : {}) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.value) return compileFailureStatus(r.diagnostics, { lines: r.compilation.lines, file: shown }, { json: requested === "json", exitCode: 1, message: `${shown} does not compile`, drawn: errors });
  const graphs = new Map<string, Blueprint>(r.compilation.blueprints.map((b) => [b.id, b]));
  if (requested !== "svg") {
    process.stdout.write(exportGraph(r.value, requested as GraphFormat, { graphs }));
    return 0;
  }
  // Graphviz (WebAssembly) aborts the process on large dense graphs (issue 10 §3): refuse first, saying why.
  if (r.value.nodes.length > MAX_SVG_NODES || exportGraph(r.value, "dot", { graphs }).split("->").length - 1 > MAX_SVG_EDGES) {
    throw new CliError(`graph \`${r.value.id}\` is too large to lay out as SVG (${r.value.nodes.length} nodes; the limit is ${MAX_SVG_NODES} nodes and ${MAX_SVG_EDGES} edges, since Graphviz aborts on large dense graphs); use --format dot or mermaid and a layout tool of your choice`);
  }
  const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
  process.stdout.write((await Graphviz.load()).dot(exportGraph(r.value, "dot", { graphs })));
  return 0;
}
