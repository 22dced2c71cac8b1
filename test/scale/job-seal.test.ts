/**
 * Sealed queue payloads (`scale/job-signature.ts`): job data is encrypted with AES-256-GCM
 * under a key derived from the deployment's queue secret, then MAC'd. A Redis reader sees
 * ciphertext; a payload altered — even one whose MAC was made to match — is refused with
 * `untrusted_job`. No services needed.
 */
import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openJob, signJob } from "../../scale/index.js";
import { openSealed, sealJson } from "../../scale/job-signature.js";

const secret = new Uint8Array(randomBytes(32));
const data = { kind: "run", runId: "run-1", input: { card: "4111 1111 1111 1111" }, source: "graph g { … }" };
/** A MAC that matches `payload`, as only a holder of the secret could make it (the GCM tag must still refuse an altered payload). */
const remac = (payload: string) => createHmac("sha256", secret).update("ragraph-queue-job-v2\0run\0").update(payload).digest("hex");

describe("sealed queue payloads", () => {
  it("a job's data is not readable in what Redis stores, and opens back to the same data", () => {
    const env = signJob(secret, "run", data);
    expect(env.payload).not.toContain("4111");
    expect(env.payload).not.toContain("graph g");
    expect(JSON.stringify(openJob(secret, "run", env, "run-1"))).toBe(JSON.stringify(data));
    // A fresh IV per job: the same data seals to another text.
    expect(signJob(secret, "run", data).payload).not.toBe(env.payload);
  });

  it("a sealed payload altered by one byte is refused with untrusted_job even when its MAC was made to match", () => {
    const env = signJob(secret, "run", data);
    const raw = Buffer.from(env.payload.slice(5), "base64");
    raw[20] ^= 1;
    const altered = `gcm1.${raw.toString("base64")}`;
    expect(openSealed(secret, "run", altered)).toBeUndefined();
    expect(() => openJob(secret, "run", { payload: altered, sig: remac(altered) }, "run-1")).toThrow(expect.objectContaining({ code: "untrusted_job", message: expect.stringMatching(/does not decrypt/) }));
  });

  it("a plaintext payload (the old format) is refused even with a matching MAC", () => {
    const plain = JSON.stringify(data);
    expect(() => openJob(secret, "run", { payload: plain, sig: remac(plain) }, "run-1")).toThrow(expect.objectContaining({ code: "untrusted_job" }));
  });

  it("a payload opens only under its own secret and purpose", () => {
    const sealed = sealJson(secret, "run", "{}");
    expect(openSealed(secret, "run", sealed)).toBe("{}");
    expect(openSealed(secret, "branch", sealed)).toBeUndefined();
    expect(openSealed(new Uint8Array(randomBytes(32)), "run", sealed)).toBeUndefined();
  });
});
