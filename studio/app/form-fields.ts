/**
 * Form inputs for a JSON Schema (the run form's input fields, a typed interrupt answer,
 * a tool call's arguments): a select for enums and booleans, a number box, a text box;
 * an object with `properties` as nested fields; a list (`items`) as rows with add and
 * remove; anything else (maps, `any`) as JSON text. Reading goes through
 * fields.ts (`readFieldText`), so every error names the field's path (`order.lines[1].qty`).
 */
import { button, h } from "./dom.js";
import { readFieldText, scalarType, type JsonSchema } from "./fields.js";

/** One input (or group of inputs) for a property. `read` gives the value, `undefined` (empty, optional) or an Error naming the field. */
export interface FormField {
  readonly name: string;
  readonly label: HTMLElement;
  read(): unknown;
  set(v: unknown): void;
}

/** Deepest nesting drawn as fields; below it a value is JSON text. */
const MAX_DEPTH = 6;

/**
 * The input for property `name` (its full path, shown and used as `data-field`) of type
 * `schema`; `typeText` is the `.rag` type shown beside a top-level input field.
 */
export function schemaField(name: string, schema: JsonSchema, required: boolean, typeText?: string, depth = 0): FormField {
  const type = scalarType(schema);
  const shown = typeText ?? (schema.enum ? schema.enum.map((v) => JSON.stringify(v)).join(" | ") : (type ?? "any"));
  const caption = `${name}${required ? "" : "?"}: ${shown}${schema.description ? ` — ${schema.description}` : ""} `;
  if (depth < MAX_DEPTH && type === "object" && schema.properties && Object.keys(schema.properties).length) return objectField(name, schema, required, caption, depth);
  if (depth < MAX_DEPTH && type === "array" && schema.items) return listField(name, schema.items, required, caption, depth);
  if (schema.enum || type === "boolean") {
    const values = schema.enum ?? [true, false];
    const sel = h("select", { name, "data-field": name }, ...(required ? [] : [h("option", { value: "" }, "—")]), ...values.map((v, i) => h("option", { value: String(i) }, typeof v === "string" ? v : JSON.stringify(v))));
    return {
      name,
      label: h("label", {}, caption, sel),
      read: () => (sel.value === "" ? (required ? new Error(`${name} is required`) : undefined) : values[Number(sel.value)]),
      set: (v) => {
        const i = values.findIndex((x) => JSON.stringify(x) === JSON.stringify(v));
        if (i >= 0) sel.value = String(i);
      },
    };
  }
  const box = h("input", { name, "data-field": name, placeholder: shown, ...(type === "number" || type === "integer" ? { type: "number", step: type === "integer" ? "1" : "any" } : {}) });
  return {
    name,
    label: h("label", {}, caption, box),
    read: () => readFieldText(name, box.value, schema, required),
    set: (v) => void (box.value = typeof v === "string" && type === "string" ? v : JSON.stringify(v)),
  };
}

/** Nested fields, one per property; an optional object left wholly empty reads as `undefined`. */
function objectField(name: string, schema: JsonSchema, required: boolean, caption: string, depth: number): FormField {
  const need = schema.required ?? [];
  const children = Object.entries(schema.properties!).map(([k, s]) => schemaField(`${name}.${k}`, s, need.includes(k), undefined, depth + 1));
  const keys = Object.keys(schema.properties!);
  const label = h("fieldset", { class: "nested", "data-field": name }, h("legend", {}, caption), ...children.map((c) => c.label));
  return {
    name,
    label,
    read: () => {
      // An optional object nobody filled in is left out (its required parts are not asked for).
      if (!required && isEmpty(label)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [i, c] of children.entries()) {
        const v = c.read();
        if (v instanceof Error) return v;
        if (v !== undefined) out[keys[i]!] = v;
      }
      return out;
    },
    set: (v) => {
      if (!v || typeof v !== "object" || Array.isArray(v)) return;
      children.forEach((c, i) => {
        const x = (v as Record<string, unknown>)[keys[i]!];
        if (x !== undefined) c.set(x);
      });
    },
  };
}

/** Rows of one item type, each with a remove button, and an add button. An optional list with no rows reads as `undefined`. */
function listField(name: string, items: JsonSchema, required: boolean, caption: string, depth: number): FormField {
  const rows: { field: FormField; row: HTMLElement }[] = [];
  const body = h("div", { class: "rows" });
  const renumber = () => rows.forEach((r, i) => (r.row.dataset.index = String(i)));
  const add = (value?: unknown): void => {
    const field = schemaField(`${name}[${rows.length}]`, items, true, undefined, depth + 1);
    if (value !== undefined) field.set(value);
    const entry = { field, row: h("div", { class: "row" }) };
    entry.row.append(
      field.label,
      button("−", () => {
        rows.splice(rows.indexOf(entry), 1);
        entry.row.remove();
        renumber();
      }, { title: "remove", "data-action": "remove-row" }),
    );
    rows.push(entry);
    body.append(entry.row);
    renumber();
  };
  return {
    name,
    label: h("fieldset", { class: "nested list", "data-field": name }, h("legend", {}, caption), body, button("+ add", () => add(), { "data-action": "add-row", title: `add an item to ${name}` })),
    read: () => {
      if (!rows.length) return required ? [] : undefined;
      const out: unknown[] = [];
      for (const [i, r] of rows.entries()) {
        const v = r.field.read();
        // Rows keep the name they were made with; after a removal, name the row by its place now.
        if (v instanceof Error) return v.message.startsWith(r.field.name) ? new Error(`${name}[${i}]${v.message.slice(r.field.name.length)}`) : v;
        out.push(v);
      }
      return out;
    },
    set: (v) => {
      if (!Array.isArray(v)) return;
      for (const r of rows.splice(0)) r.row.remove();
      for (const x of v) add(x);
    },
  };
}

/** True when no input under `root` holds anything (selects that cannot be blank do not count; list rows made but left blank do not either). */
function isEmpty(root: HTMLElement): boolean {
  return [...root.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select")].every((e) => e.value === "" || (e instanceof HTMLSelectElement && !e.querySelector('option[value=""]')));
}
