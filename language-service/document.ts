/**
 * One open document: its text and, computed on first use and kept until the text
 * changes, the compilation (the real compiler, with the service's registry view) and
 * the symbol index.
 */
import { compile, type ApprovalView, type Compilation, type RegistryView } from "../compiler/index.js";
import { parseRag, type Ast, type Diagnostic, type LineIndex, type Result } from "../grammar/index.js";
import { buildIndex, type SymbolIndex } from "./occurrences.js";

export class Document {
  private compiled: Result<Compilation> | undefined;
  private parsed: { program: Ast.Program; lines: LineIndex } | undefined;
  private index: SymbolIndex | undefined;

  constructor(
    readonly uri: string,
    readonly text: string,
    private readonly registry: () => RegistryView | undefined,
    private readonly approvals?: ApprovalView,
  ) {}

  /** The compiler's output for this text (never throws: the compiler does not). */
  get compilation(): Result<Compilation> {
    if (!this.compiled) {
      const registry = this.registry();
      this.compiled = compile(this.text, { file: fileName(this.uri), ...(registry ? { registry } : {}), ...(this.approvals ? { approvals: this.approvals } : {}) });
    }
    return this.compiled;
  }

  /**
   * The AST: the compilation's when it exists, else a parse only (completion and
   * navigation need no rules or lowering, and a keystroke's diagnostics compile anyway).
   */
  get program(): Ast.Program {
    if (this.compiled) return this.compiled.value.program;
    this.parsed ??= (() => {
      const r = parseRag(this.text, { file: fileName(this.uri) });
      return { program: r.value, lines: r.lines };
    })();
    return this.parsed.program;
  }

  get lines(): LineIndex {
    if (this.compiled) return this.compiled.value.lines;
    void this.program;
    return this.parsed!.lines;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.compilation.diagnostics;
  }

  get symbols(): SymbolIndex {
    this.index ??= buildIndex(this.program);
    return this.index;
  }

  /** Forgets derived data (after the registry changed). */
  invalidate(): void {
    this.compiled = undefined;
    this.parsed = undefined;
    this.index = undefined;
  }
}

/** The last path segment of a URI, for diagnostics' `file`. */
export function fileName(uri: string): string {
  const path = uri.replace(/[?#].*$/, "");
  const last = path.slice(path.lastIndexOf("/") + 1);
  try {
    return decodeURIComponent(last) || uri;
  } catch {
    return last || uri;
  }
}
