/**
 * Installs Node's native SHA-256 (`node:crypto`) for blueprint hashes: ~15× faster than
 * the pure-JavaScript default the browser-safe compiler ships with, same digests.
 * Imported for its effect by Node entry points (the package root and the CLI).
 *
 * One-shot `crypto.hash` (Node ≥ 20.12; the string is hashed as UTF-8, as `update(text,
 * "utf8")` does) costs about a third of `createHash(…).update(…).digest(…)` per call,
 * which matters for files of thousands of small graphs (one hash each); `createHash` is
 * the fallback where `crypto.hash` is missing. Blueprint hashes are computed over the
 * canonical JSON's UTF-8 bytes (compiler/canonical.ts writes them directly), so the
 * bytes variant is installed too.
 */
import * as crypto from "node:crypto";
import { useSha256 } from "../compiler/canonical.js";

const oneShot = (crypto as { hash?: typeof crypto.hash }).hash;
useSha256(
  typeof oneShot === "function" ? (text) => oneShot("sha256", text, "hex") : (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex"),
  typeof oneShot === "function" ? (bytes) => oneShot("sha256", bytes, "hex") : (bytes) => crypto.createHash("sha256").update(bytes).digest("hex"),
);
