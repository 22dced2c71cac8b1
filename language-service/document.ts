/**
 * One open document: its text and, computed on first use and kept until the text
 * changes, the compilation (the real compiler, with the service's registry view) and
 * the symbol index.
 */
import { compile, type Compilation, type RegistryView } from "../compiler/index.js";
import type { Diagnostic, LineIndex, Result } from "../grammar/index.js";
import { buildIndex, type SymbolIndex } from "./occurrences.js";

export class Document {
  private compiled: Result<Compilation> | undefined;
  private index: SymbolIndex | undefined;

  constructor(
    readonly uri: string,
    readonly text: string,
    private readonly registry: () => RegistryView | undefined,
  ) {}

  /** The compiler's output for this text (never throws: the compiler does not). */
  get compilation(): Result<Compilation> {
    if (!this.compiled) {
      const registry = this.registry();
      this.compiled = compile(this.text, { file: fileName(this.uri), ...(registry ? { registry } : {}) });
    }
    return this.compiled;
  }

  get lines(): LineIndex {
    return this.compilation.value.lines;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.compilation.diagnostics;
  }

  get symbols(): SymbolIndex {
    this.index ??= buildIndex(this.compilation.value.program);
    return this.index;
  }

  /** Forgets derived data (after the registry changed). */
  invalidate(): void {
    this.compiled = undefined;
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
