/** Tiny DOM helpers for the panels (no framework). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export function button(label: string, onClick: () => void, props: Record<string, string> = {}): HTMLButtonElement {
  const b = h("button", props, label);
  b.addEventListener("click", onClick);
  return b;
}

/** Short JSON for tables. */
export function brief(v: unknown, max = 120): string {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s === undefined ? "" : s.length > max ? s.slice(0, max - 1) + "…" : s;
}
