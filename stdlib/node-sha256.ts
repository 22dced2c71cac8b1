/**
 * Installs Node's native SHA-256 (`node:crypto`) for blueprint hashes: ~15× faster than
 * the pure-JavaScript default the browser-safe compiler ships with, same digests.
 * Imported for its effect by Node entry points (the package root and the CLI).
 */
import { createHash } from "node:crypto";
import { useSha256 } from "../compiler/canonical.js";

useSha256((text) => createHash("sha256").update(text, "utf8").digest("hex"));
