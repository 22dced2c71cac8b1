/**
 * The Postgres URL as messages show it (`redact`, scale/pg-url.ts): never its password,
 * however it is written.
 */
import { describe, expect, it } from "vitest";
import { redact } from "../../scale/pg-url.js";

describe("redact", () => {
  it("hides the password, also one written with a raw `/` or `@` (a URL should percent-encode them; it was printed whole)", () => {
    expect(redact("postgres://app:s3cret@db:5432/test?schema=x")).toBe("postgres://app:***@db:5432/test?schema=x");
    expect(redact("postgres://app:pa/ss@db/test")).toBe("postgres://app:***@db/test");
    expect(redact("postgres://app:p@ss/w@db/test")).toBe("postgres://app:***@db/test");
    expect(redact("postgres://app@db/test")).toBe("postgres://app@db/test");
    expect(redact("postgres://db/test")).toBe("postgres://db/test");
  });
});
