/** The `.ragsh` console panel: one session on the server (the rules of `rag repl`). */
import { api } from "./api.js";
import { button, h } from "./dom.js";

export function mountRepl(root: HTMLElement): void {
  const log = h("div", { class: "repl-log", "data-testid": "repl-log" });
  const input = h("textarea", { rows: "3", placeholder: "let x = 1 + 1   (Shift+Enter runs; :load FILE.rag registers its graphs for graph_run, :load FILE.ragsh runs a script)", "data-testid": "repl-input", spellcheck: "false" });
  const run = async () => {
    const source = input.value;
    if (!source.trim()) return;
    log.append(h("pre", { class: "repl-in" }, source));
    try {
      const r = await api<{ ok: boolean; stdout: string; value: unknown; diagnostics: string }>("POST", "/api/repl", { source });
      if (r.stdout) log.append(h("pre", { class: "repl-out" }, r.stdout));
      if (r.diagnostics) log.append(h("pre", { class: "repl-err" }, r.diagnostics));
      if (r.ok && r.value !== null) log.append(h("pre", { class: "repl-value" }, JSON.stringify(r.value, null, 1)));
      input.value = "";
    } catch (e) {
      log.append(h("pre", { class: "repl-err" }, (e as Error).message));
    }
    log.scrollTop = log.scrollHeight;
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.shiftKey) {
      e.preventDefault();
      void run();
    }
  });
  root.replaceChildren(log, h("div", { class: "repl-bar" }, input, button("Run cell", () => void run(), { "data-testid": "repl-run" })));
}
