/**
 * Long source lines in human reports (compiler/diagnostics/line-window.ts): a bounded
 * window around the span, `…` at cut ends, and the caret under the span's column in
 * terminal cells (tabs 4, wide characters 2).
 */
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { MAX_DRAWN_LINE_CELLS, windowLine } from "../../compiler/diagnostics/line-window.js";

/** The drawn text's cells before the caret: what a terminal shows left of the first mark. */
const under = (text: string, pad: number, marks: number) => {
  let cells = 0;
  let out = "";
  for (const ch of text) {
    if (cells >= pad) out += ch;
    cells += stringWidth(ch);
    if (cells >= pad + marks) break;
  }
  return out;
};

describe("windowLine", () => {
  it("a short line is drawn whole, caret in cells", () => {
    const w = windowLine("node 漢字 { next b }", 15, 16);
    expect(w.text).toBe("node 漢字 { next b }");
    expect(w.pad).toBe(17);
    expect(under(w.text, w.pad, w.marks)).toBe("b");
  });

  it("a tab counts four cells", () => {
    const w = windowLine("\tnext b", 6, 7);
    expect(w.text).toBe("    next b");
    expect(w.pad).toBe(9);
  });

  it("a long line keeps a bounded slice around the span, with … at both cuts", () => {
    const line = "x ".repeat(500) + "target" + " y".repeat(500);
    const at = line.indexOf("target");
    const w = windowLine(line, at, at + 6);
    expect(w.text.startsWith("…")).toBe(true);
    expect(w.text.endsWith("…")).toBe(true);
    expect(stringWidth(w.text)).toBeLessThanOrEqual(MAX_DRAWN_LINE_CELLS + 2);
    expect(under(w.text, w.pad, w.marks)).toBe("target");
  });

  it("wide characters and emoji (surrogate pairs) before the span: never split, caret right", () => {
    for (const filler of ["漢", "😀", "e\u0301"]) {
      const line = filler.repeat(300) + " bad " + filler.repeat(300);
      const at = line.indexOf("bad");
      const w = windowLine(line, at, at + 3);
      expect(w.text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(under(w.text, w.pad, w.marks)).toBe("bad");
      expect(stringWidth(w.text)).toBeLessThanOrEqual(MAX_DRAWN_LINE_CELLS + 2);
    }
  });

  it("a span longer than the window is cut, its marks bounded", () => {
    const line = "a".repeat(10_000);
    const w = windowLine(line, 100, 9_000);
    expect(w.marks).toBeLessThanOrEqual(MAX_DRAWN_LINE_CELLS);
    expect(w.text.length).toBeLessThanOrEqual(MAX_DRAWN_LINE_CELLS + 2);
  });

  it("a second label inside the drawn slice shares it; one outside gets its own", () => {
    const line = "z".repeat(1000) + " one two " + "z".repeat(1000) + " three";
    const first = windowLine(line, 1001, 1004);
    const second = windowLine(line, 1005, 1008, first);
    expect([second.from, second.to]).toEqual([first.from, first.to]);
    expect(under(second.text, second.pad, second.marks)).toBe("two");
    const third = windowLine(line, line.indexOf("three"), line.length, first);
    expect(third.from).not.toBe(first.from);
    expect(under(third.text, third.pad, third.marks)).toBe("three");
  });
});
