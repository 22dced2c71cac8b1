/**
 * The Node side of the heap-headroom check (`heap-headroom.ts`): the heap of this
 * process, read from `v8.getHeapStatistics()` (`used_heap_size`, `heap_size_limit`,
 * which `--max-old-space-size` sets).
 */
import { getHeapStatistics } from "node:v8";
import type { HeapReading } from "./heap-headroom.js";

/** The process's heap now, in bytes. */
export function nodeHeapProbe(): HeapReading {
  const h = getHeapStatistics();
  return { usedBytes: h.used_heap_size, limitBytes: h.heap_size_limit };
}
