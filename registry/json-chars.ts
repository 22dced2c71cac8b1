/**
 * The length of a value's JSON text, counted without building it and without recursion:
 * model output (tool-call arguments) is untrusted and may nest thousands of levels deep,
 * where `JSON.stringify` overflows the stack (`RangeError`) before the runtime's own
 * depth check refuses it with a clear error. Used by the usage floor and the call meter,
 * which only need a size. Counts like `JSON.stringify` without escapes: a string's
 * characters plus its quotes, a number's digits, keys, `:` and `,` and brackets; values
 * `JSON.stringify` drops (functions, undefined in objects) count 0. Stops counting at
 * `cap` (UTF-16 code units; default 2^30) and returns it.
 */
export function jsonChars(value: unknown, cap = 2 ** 30): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && n < cap) {
    const v = stack.pop();
    if (typeof v === "string") n += v.length + 2;
    else if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") n += String(v).length;
    else if (v === null) n += 4;
    else if (Array.isArray(v)) {
      n += 2 + Math.max(0, v.length - 1);
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i] === undefined || typeof v[i] === "function" ? null : v[i]);
    } else if (typeof v === "object") {
      n += 2;
      let first = true;
      for (const k of Object.keys(v as object)) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || typeof x === "function") continue;
        n += k.length + 3 + (first ? 0 : 1);
        first = false;
        stack.push(x);
      }
    }
  }
  return Math.min(n, cap);
}
