/** Terminal colors for diagnostics and progress (picocolors: honours NO_COLOR, FORCE_COLOR and TTYs). */
import pc from "picocolors";
import type { RenderStyle } from "../compiler/index.js";

export function colorsFor(stream: NodeJS.WriteStream): ReturnType<typeof pc.createColors> {
  return pc.createColors(pc.isColorSupported && Boolean(stream.isTTY));
}

export function renderStyle(stream: NodeJS.WriteStream): RenderStyle {
  const c = colorsFor(stream);
  return { error: c.red, warning: c.yellow, info: c.cyan, bold: c.bold, gutter: c.blue, secondary: c.cyan };
}
