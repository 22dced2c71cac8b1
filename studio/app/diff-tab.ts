/**
 * The Diff tab: `rag diff` in the browser. The editor's buffer (right) against its
 * saved file or another workspace `.rag` file (left) in Monaco's diff editor, and the
 * semantic diff of the graph shown (nodes, edges, channels, … that changed, as
 * `rag diff` prints it) computed by the language worker.
 */
import * as monaco from "monaco-core";
import { $, graphShown, type Studio } from "./context.js";
import { button, h } from "./dom.js";
import { readFile } from "./files.js";

export class DiffTab {
  private diffEditor: monaco.editor.IStandaloneDiffEditor | undefined;
  private diffOriginal: monaco.editor.ITextModel | undefined;
  private readonly diffWith = h("select", { "data-testid": "diff-with", title: "compare the buffer with" });
  private readonly diffText = h("pre", { class: "semantic-diff", "data-testid": "diff-semantic" });

  constructor(private readonly s: Studio) {
    this.diffWith.addEventListener("change", () => void this.show());
  }

  /** Draws the tab for the current file (the diff editor is made the first time). */
  async show(): Promise<void> {
    const s = this.s;
    const f = s.current;
    if (!f) return;
    const { diffWith, diffText } = this;
    const root = $("tab-diff");
    if (!this.diffEditor) {
      const host = h("div", { class: "diff-host", "data-testid": "diff-editor" });
      root.replaceChildren(h("div", { class: "diff-bar" }, "editor buffer (right) against ", diffWith, button("↻", () => void this.show(), { title: "refresh" })), host, diffText);
      this.diffEditor = monaco.editor.createDiffEditor(host, { automaticLayout: true, readOnly: true, renderSideBySide: true, minimap: { enabled: false } });
    }
    const others = (await s.early.info).files.filter((x) => x.kind === "rag" && x.path !== f.path).map((x) => x.path);
    const chosen = diffWith.value;
    diffWith.replaceChildren(h("option", { value: "" }, "its saved file"), ...others.map((p) => h("option", { value: p }, p)));
    diffWith.value = others.includes(chosen) ? chosen : "";
    const original = diffWith.value ? (s.files.get(diffWith.value)?.model.getValue() ?? (await readFile(diffWith.value))) : f.saved;
    if (!this.diffOriginal) this.diffOriginal = monaco.editor.createModel(original, f.model.getLanguageId());
    else {
      this.diffOriginal.setValue(original);
      monaco.editor.setModelLanguage(this.diffOriginal, f.model.getLanguageId());
    }
    this.diffEditor.setModel({ original: this.diffOriginal, modified: f.model });
    if (f.model.getLanguageId() !== "rag") {
      diffText.textContent = "";
      return;
    }
    const graph = graphShown(s);
    const d = await s.lang.ask("semanticDiff", { uri: f.uri, original, ...(graph !== undefined && !diffWith.value ? { graph } : {}) });
    diffText.classList.toggle("error", "error" in d);
    diffText.textContent = "error" in d ? d.error : d.text;
  }
}
