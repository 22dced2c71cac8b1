/**
 * The answer form of a question a run paused on (studio Runs tab): an interrupt's
 * options as buttons, a typed answer as fields, or one free field; a tool call waiting
 * for approval with its arguments editable and checked against the tool's schema. The
 * forms build answers and hand them to `send` (which resumes the thread); they call no API.
 */
import { button, h } from "./dom.js";
import { checkValue, type JsonSchema } from "./fields.js";
import { schemaField } from "./form-fields.js";

/**
 * The answer form of a pending interrupt: its prompt; `options` as buttons; a typed
 * answer (the payload's `resume` JSON Schema) as one field per property, sent as an
 * object (`{ choice, …fields }` when there are options too); else one free field.
 */
export function answerForm(threadId: string, id: string, payload: unknown, send: (answer: unknown) => Promise<void>, toolSchema: (tool: string) => JsonSchema | undefined): HTMLElement {
  const p = (payload ?? {}) as { prompt?: string; options?: unknown[]; resume?: JsonSchema; type?: string; tool?: string; args?: unknown; description?: string };
  const box = h("div", { class: "interrupt-box", "data-interrupt": id, "data-thread": threadId }, h("div", {}, h("strong", {}, "Paused: "), p.prompt ?? (p.type === "tool_approval" ? `approve the call of tool ${String(p.tool)}?` : `interrupt ${id}`)));
  if (p.type === "tool_approval") {
    approvalForm(box, p as ApprovalPayload, send, p.tool !== undefined ? toolSchema(p.tool) : undefined);
    return box;
  }
  const options = Array.isArray(p.options) ? p.options : [];
  const typed = p.resume && p.resume.type === "object" && p.resume.properties ? p.resume : undefined;
  if (typed) {
    const fields = Object.entries(typed.properties!).map(([name, schema]) => schemaField(name, schema, (typed.required ?? []).includes(name)));
    const form = h("div", { class: "fields", "data-testid": "answer-fields" }, ...fields.map((f) => f.label));
    const collect = (): Record<string, unknown> | undefined => {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const v = f.read();
        if (v instanceof Error) {
          box.querySelector(":scope > .error")?.remove();
          box.append(h("div", { class: "error" }, v.message));
          return undefined;
        }
        if (v !== undefined) out[f.name] = v;
      }
      return out;
    };
    box.append(form);
    if (options.length) for (const o of options) box.append(button(String(o), () => void ((v) => v && send({ choice: o, ...v }))(collect()), { "data-answer": String(o) }));
    else box.append(button("Answer", () => void ((v) => v && send(v))(collect()), { "data-testid": "answer-submit", class: "primary" }));
  } else if (options.length) {
    for (const o of options) box.append(button(String(o), () => void send(o), { "data-answer": String(o) }));
  } else {
    const field = h("input", { placeholder: "answer (JSON, or text)", "data-testid": "answer-field" });
    box.append(field, button("Answer", () => void send(parseLoose(field.value)), { "data-testid": "answer-submit" }));
  }
  return box;
}

/**
 * A tool-approval interrupt (`approve [..]` on a node, or a tool's `approval: "ask"`):
 * the call's arguments, editable — one field per argument when the registry snapshot
 * has the tool's argument schema, else a JSON object — checked against that schema
 * before anything is sent; then approve as proposed (the payload's approve option),
 * approve as edited (`{ choice, args }`), deny, or deny with a reason
 * (`{ choice: "deny", reason }`, which the model is told). The answers are the ones
 * stdlib/kinds/approval.ts accepts.
 */
function approvalForm(box: HTMLElement, p: ApprovalPayload, send: (answer: unknown) => Promise<void>, schema: JsonSchema | undefined): void {
  const args = p.args && typeof p.args === "object" && !Array.isArray(p.args) ? (p.args as Record<string, unknown>) : {};
  const approve = (p.options ?? []).find((o): o is string => typeof o === "string" && o.startsWith("approve")) ?? "approve";
  const props = schema?.properties && Object.keys(schema.properties).length ? schema.properties : undefined;
  const errors = h("div", { class: "error", "data-testid": "approval-errors" });
  if (p.description) box.append(h("div", { class: "dim small" }, p.description));
  let read: () => Record<string, unknown> | string[];
  if (props) {
    const fields = Object.entries(props).map(([name, s]) => schemaField(name, s, (schema!.required ?? []).includes(name)));
    for (const f of fields) if (args[f.name] !== undefined) f.set(args[f.name]);
    box.append(h("div", { class: "fields", "data-testid": "approval-args" }, ...fields.map((f) => f.label)));
    read = () => {
      // Arguments the schema does not name are kept as proposed.
      const out: Record<string, unknown> = Object.fromEntries(Object.entries(args).filter(([k]) => !(k in props)));
      const bad: string[] = [];
      for (const f of fields) {
        const v = f.read();
        if (v instanceof Error) bad.push(v.message);
        else if (v !== undefined) out[f.name] = v;
      }
      return bad.length ? bad : out;
    };
  } else {
    const area = h("textarea", { rows: "4", spellcheck: "false", "data-testid": "approval-args-json" });
    area.value = JSON.stringify(args, null, 1);
    box.append(h("label", {}, `arguments of ${String(p.tool)} (a JSON object)`), area);
    read = () => {
      try {
        const v = JSON.parse(area.value) as unknown;
        return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : ["the arguments must be a JSON object"];
      } catch (e) {
        return [`the arguments are not JSON: ${(e as Error).message}`];
      }
    };
  }
  const edited = () => {
    const v = read();
    const bad = Array.isArray(v) ? v : schema ? checkValue("args", v, schema) : [];
    errors.replaceChildren(...bad.map((m) => h("div", {}, m)));
    if (!bad.length) void send({ choice: approve, args: v });
  };
  const reason = h("input", { placeholder: "reason (the model is told)", "data-testid": "deny-reason" });
  const denyWithReason = () => {
    if (!reason.value.trim()) {
      errors.replaceChildren(h("div", {}, "give a reason, or use deny"));
      return;
    }
    void send({ choice: "deny", reason: reason.value.trim() });
  };
  box.append(
    errors,
    h(
      "div",
      { class: "approval-actions" },
      button("approve", () => void send(approve), { "data-answer": approve, class: "primary" }),
      button("approve as edited", edited, { "data-testid": "approve-edited" }),
      button("deny", () => void send("deny"), { "data-answer": "deny" }),
      reason,
      button("deny with reason", denyWithReason, { "data-testid": "deny-with-reason" }),
    ),
  );
}

/** The payload of a tool-approval interrupt (stdlib/kinds/approval.ts `ToolApprovalRequest`), loosely read. */
interface ApprovalPayload {
  tool?: string;
  args?: unknown;
  description?: string;
  options?: unknown[];
}

/** JSON when it parses, else the text itself. */
function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
