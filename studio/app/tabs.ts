/**
 * The panel tabs (Problems, Runs, Review, REPL, Diff): switching shows one, and opening
 * Review, Runs or Diff draws it for the current file. The Review tab's text diffs (each
 * graph's approved source against the buffer) are Monaco diff editors made here.
 */
import * as monaco from "monaco-core";
import { $, isRag, type Studio } from "./context.js";
import { h } from "./dom.js";
import { renderReview, type ApprovedDiff } from "./review.js";

/** What the tabs draw with (main.ts wires them). */
export interface TabHooks {
  /** Saves the current file (review.ts saves before approving); resolves with its path. */
  save(): Promise<string>;
  /** After an approval: the worker learns the new hashes. */
  approved(): void;
  /** The Runs tab opened: list the threads. */
  runsShown(): void;
  /** The Diff tab opened. */
  diffShown(): void;
}

/** The Review tab's text diffs: each graph's approved source (kept in its approval record) against the buffer. */
function approvedDiffs(s: Studio): ApprovedDiff {
  const open: { editor: monaco.editor.IStandaloneDiffEditor; original: monaco.editor.ITextModel }[] = [];
  return {
    reset() {
      for (const d of open.splice(0)) {
        d.editor.dispose();
        d.original.dispose();
      }
    },
    show(host, source) {
      if (!s.current) return;
      const original = monaco.editor.createModel(source, "rag");
      const ed = monaco.editor.createDiffEditor(host, { automaticLayout: true, readOnly: true, renderSideBySide: true, minimap: { enabled: false } });
      ed.setModel({ original, modified: s.current.model });
      // Scroll to the first change; the host tells how many changed line ranges there are.
      ed.onDidUpdateDiff(() => {
        const changes = ed.getLineChanges() ?? [];
        host.dataset.changes = String(changes.length);
        if (changes[0]) ed.getModifiedEditor().revealLineInCenter(Math.max(1, changes[0].modifiedStartLineNumber));
      });
      open.push({ editor: ed, original });
    },
  };
}

/** Wires the `#tabs` buttons to their `.tab` panes. */
export function wireTabs(s: Studio, hooks: TabHooks): void {
  const approvedDiff = approvedDiffs(s);
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) {
    b.addEventListener("click", () => {
      const tab = b.dataset.tab!;
      for (const x of document.querySelectorAll("#tabs button")) x.classList.toggle("on", x === b);
      for (const x of document.querySelectorAll(".tab")) x.classList.toggle("on", x.id === `tab-${tab}`);
      const current = s.current;
      if (tab === "review" && current) {
        if (isRag(current)) void renderReview($("tab-review"), current.path, hooks.save, hooks.approved, approvedDiff);
        else {
          approvedDiff.reset();
          $("tab-review").replaceChildren(h("div", { class: "dim", "data-testid": "review-script" }, `${current.path} is a .ragsh script: review and approval are for the graphs of a .rag file.`));
        }
      }
      if (tab === "runs") hooks.runsShown();
      if (tab === "diff") hooks.diffShown();
    });
  }
}
