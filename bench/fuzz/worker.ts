/**
 * Fuzz worker: generates and checks inputs `from … to-1` of a run, posting a heartbeat
 * before each input (so the main thread can tell a hang from slow progress) and the
 * outcome after it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { checkInput } from "./check.js";
import { seedCorpus } from "./corpus.js";
import { mutant } from "./mutate.js";

const { seed, from, to, cli } = workerData as { seed: number; from: number; to: number; cli: boolean };
const corpus = seedCorpus();
for (let i = from; i < to; i++) {
  const { source } = mutant(corpus, seed, i);
  parentPort!.postMessage({ type: "start", index: i });
  const t0 = performance.now();
  const problem = checkInput(source, i % 2 === 0, i % 7 === 0, cli ? i : undefined);
  parentPort!.postMessage({ type: "done", index: i, ms: performance.now() - t0, chars: source.length, ...(problem ? { problem } : {}) });
}
parentPort!.postMessage({ type: "end" });
