/** Checkpointers (`runtime.md` §3): the contract and its backends. */
export * from "./types.js";
export { MemoryCheckpointer } from "./memory.js";
export { ProcessClaims } from "./process-claims.js";
export { SqliteCheckpointer, type SqliteCheckpointerOptions } from "./sqlite.js";
export { BlobPlanner, checkpointJson, liveBlobs, metadataJson, readCheckpoint, readMetadata, rebuildValue, refsOf, type BlobRow, type CheckpointColumns, type StoredBlob } from "./blobs.js";
