/**
 * The checkout's bundle is rebuilt when anything it is built from changes
 * (bin/dev-build.js `sourcesFingerprint`): source folders, the single files, and every
 * build script under scripts/bundle*.mjs — a new one included, without listing it by hand.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the checkout's bin/, without types
import { sourcesFingerprint } from "../../bin/dev-build.js";

const fingerprint = sourcesFingerprint as (root: string) => string;
const root = mkdtempSync(join(tmpdir(), "rag-fingerprint-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("sourcesFingerprint", () => {
  it("changes when a build script is added under scripts/, and ignores other scripts", () => {
    mkdirSync(join(root, "scripts"));
    mkdirSync(join(root, "compiler"));
    writeFileSync(join(root, "index.ts"), "export {};\n");
    writeFileSync(join(root, "compiler", "a.ts"), "export const a = 1;\n");
    writeFileSync(join(root, "scripts", "bundle.mjs"), "// build\n");
    const before = fingerprint(root);
    expect(before).toContain("scripts/bundle.mjs");
    expect(before).toContain("compiler/a.ts");

    writeFileSync(join(root, "scripts", "gen-docs.ts"), "// not a build script\n");
    expect(fingerprint(root)).toBe(before);

    writeFileSync(join(root, "scripts", "bundle-extra.mjs"), "// a new build step\n");
    const after = fingerprint(root);
    expect(after).not.toBe(before);
    expect(after).toContain("scripts/bundle-extra.mjs");
  });
});
