/** The Problems tab: the current file's diagnostics, each with its location (click: go there) and its first quick fix. */
import type * as monaco from "monaco-core";
import type { Diagnostic } from "./api.js";
import { $ } from "./context.js";
import { button, h } from "./dom.js";
import { toRange } from "./language.js";

/** Lists `ds` in the Problems tab (its count on the tab's button); `none`: the text when there are none. */
export function renderProblems(editor: monaco.editor.IStandaloneCodeEditor, ds: readonly Diagnostic[], none = "no problems"): void {
  $("problem-count").textContent = ds.length ? `(${ds.length})` : "";
  $("tab-problems").replaceChildren(
    ...(ds.length
      ? ds.map((d) =>
          h(
            "div",
            { class: `problem ${d.severity}`, "data-code": d.code },
            h("span", { class: "loc" }, `${d.span.start.line}:${d.span.start.column}`),
            ` ${d.severity}[${d.code}]: ${d.message} `,
            d.help ? h("span", { class: "dim" }, `help: ${d.help} `) : null,
            ...d.fixes.slice(0, 1).map(() => button(`Fix: ${d.fixes.map((x) => x.description).join("; ")}`, () => applyFix(editor, d), { class: "fix" })),
          ),
        )
      : [h("div", { class: "dim" }, none)]),
  );
  for (const p of document.querySelectorAll<HTMLElement>("#tab-problems .problem .loc")) {
    p.addEventListener("click", () => {
      const d = ds[[...document.querySelectorAll("#tab-problems .problem .loc")].indexOf(p)];
      editor.setSelection(toRange(d.span));
      editor.revealRangeInCenter(toRange(d.span));
      editor.focus();
    });
  }
}

function applyFix(editor: monaco.editor.IStandaloneCodeEditor, d: Diagnostic): void {
  editor.executeEdits("quick-fix", d.fixes.map((f) => ({ range: toRange(f.span), text: f.replacement })));
  editor.focus();
}
