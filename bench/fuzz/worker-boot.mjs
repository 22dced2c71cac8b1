// Worker entry: Node does not pass tsx's loader hooks to worker threads, so register
// them here (as bin/rag.js does) before loading the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
