/**
 * The heap-headroom check of a cell (red team 12b, "rope"). `+` on strings is charged
 * the characters it adds, because V8 builds a rope (a `ConsString`) that shares the
 * longer operand; the first read of a rope's characters (`t[0]`, a method, a key, a
 * comparison, `print`…) makes V8 flatten it, a full copy that no per-cell budget sees.
 * Charging every long `+` in full would make `report += line` loops quadratic, and a
 * script cannot tell a rope from a flat string, so the interpreter asks the process
 * instead: before a read that may flatten a string of `FLATTEN_CHECK_CHARS` characters
 * or more, it checks that the heap in use plus the copy (2 bytes a character, the
 * two-byte worst case) stays under `HEAP_HEADROOM_FRACTION` of the heap's limit, and
 * stops the cell with `E-ragsh-memory-limit` when it would not: the cell fails, the
 * session and the process go on. Shorter strings pay one length test.
 *
 * The probe is injected (`RunLimits.heapProbe`): the Node side reads `v8.getHeapStatistics`
 * (`heap-probe.ts`); without one the check is off. The heap in use counts garbage not yet
 * collected, so the check errs towards stopping a cell early near the limit, never late.
 */
import { LimitError } from "./errors.js";

/** What the process's heap looks like now, in bytes. */
export interface HeapReading {
  /** Bytes of the heap in use (live and not yet collected). */
  readonly usedBytes: number;
  /** Bytes past which the process dies out of memory. */
  readonly limitBytes: number;
}

/** Reads the heap (called only before a read of a long string; a few per 1,024 operations at most when the heap has room). */
export type HeapProbe = () => HeapReading;

/** Strings shorter than this are read without a probe: a flattening copy of them is covered by the operation that reads it. */
const FLATTEN_CHECK_CHARS = 1 << 16;

/**
 * Bytes a read of `chars` characters may make V8 copy flat (2 a character, the two-byte
 * worst case), checked against the heap's headroom before the read; 0 for fewer than
 * `FLATTEN_CHECK_CHARS` (no probe). The one place every check (`Evaluator.work`,
 * `Evaluator.readChars`, `previewReader`) decides what a read may copy.
 */
export function flattenBytes(chars: number): number {
  return chars >= FLATTEN_CHECK_CHARS ? 2 * chars : 0;
}

/** The share of the heap's limit a cell may bring the heap in use to before a read that may copy a long string. */
const HEAP_HEADROOM_FRACTION = 0.85;

/** Operations after which a probe's reading is taken again even when its allowance is not spent. */
export const REPROBE_OPERATIONS = 1024;

/** The error a cell stops with when a read of a long string could copy it past the heap's headroom. */
export function heapHeadroomError(bytes: number, reading: HeapReading): LimitError {
  const mb = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  return new LimitError(
    "E-ragsh-memory-limit",
    `reading a string of ${Math.ceil(bytes / 2)} characters may copy ${mb(bytes)}, and the process's heap (${mb(reading.usedBytes)} in use of ${mb(reading.limitBytes)}) is near its limit: the cell stopped`,
    undefined,
    { help: "hold fewer long strings (drop variables you no longer need), or work on smaller pieces (chunks) of the data" },
  );
}

/** Bytes the heap `r` reads may still grow by before it reaches `HEAP_HEADROOM_FRACTION` of its limit (negative past it). */
export function headroomOf(r: HeapReading): number {
  return r.limitBytes * HEAP_HEADROOM_FRACTION - r.usedBytes;
}

/** True when `bytes` more keep the heap `probe` reads under `HEAP_HEADROOM_FRACTION` of its limit. */
function hasHeadroom(probe: HeapProbe, bytes: number): boolean {
  return bytes <= headroomOf(probe());
}

/**
 * A `formatValue` reader for renderings outside a cell (the previews after it): throws
 * `NoHeadroom` before a long string is cut when its copy would not fit the heap's headroom.
 */
export function previewReader(probe: HeapProbe | undefined): ((s: string) => void) | undefined {
  if (!probe) return undefined;
  return (s) => {
    const copy = flattenBytes(s.length);
    if (copy && !hasHeadroom(probe, copy)) throw new NoHeadroom();
  };
}

/** Thrown by `previewReader`: the value is not rendered. */
export class NoHeadroom extends Error {}

/** What a preview shows instead of a value `previewReader` refused to render. */
export const NO_HEADROOM_PREVIEW = "(not shown: the process's heap is near its limit)";
