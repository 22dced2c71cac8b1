/** LineIndex positions: the remembered-line fast path must agree with a plain scan, in any lookup order. */
import { expect, it } from "vitest";
import { LineIndex } from "../../grammar/span.js";

function naive(text: string, offset: number): { line: number; column: number; offset: number } {
  const o = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let start = 0;
  for (let i = 0; i < o; i++) {
    const c = text[i];
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) {
      line++;
      start = i + 1;
    } else if (c === "\r") {
      // \r\n: the line starts after the \n
      if (i + 1 < o) {
        i++;
        line++;
        start = i + 1;
      }
    }
  }
  return { line, column: o - start + 1, offset: o };
}

it("agrees with a plain scan for ascending, repeated, descending and random lookups", () => {
  const text = "graph a {\n  start x\r\n\r\n  node x { next END }\r}\n\nlast";
  const idx = new LineIndex(text);
  const offsets = [...Array(text.length + 3).keys()].map((i) => i - 1);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % (text.length + 2);
  for (const order of [offsets, offsets.flatMap((o) => [o, o]), [...offsets].reverse(), Array.from({ length: 200 }, random)]) {
    for (const o of order) expect(idx.position(o), `offset ${o}`).toEqual(naive(text, o));
  }
});

it("agrees with a plain scan on text without carriage returns (line feeds found by indexOf)", () => {
  for (const text of ["graph a {\n  start x\n\n  node x { next END }\n}\n\nlast", "", "\n", "\n\n", "x", "x\n"]) {
    const idx = new LineIndex(text);
    expect(idx.lineCount, JSON.stringify(text)).toBe(text.split("\n").length);
    for (let o = -1; o <= text.length + 1; o++) expect(idx.position(o), `${JSON.stringify(text)} offset ${o}`).toEqual(naive(text, o));
  }
});
