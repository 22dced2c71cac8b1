/** Queue URLs (`--queue redis://…`): defaults, options, and clear errors for bad ones. */
import { describe, expect, it } from "vitest";
import { parseQueueUrl, ScaleConfigError } from "../../scale/index.js";

describe("parseQueueUrl", () => {
  it("reads host, port, database, queue and prefix, and hides the password in messages", () => {
    const u = parseQueueUrl("redis://app:s3cret@queue.internal:6380/2?queue=runs&prefix=prod");
    expect(u.connection).toMatchObject({ host: "queue.internal", port: 6380, db: 2, username: "app", password: "s3cret", maxRetriesPerRequest: null });
    expect(u.queue).toBe("runs");
    expect(u.prefix).toBe("prod");
    expect(u.shown).not.toContain("s3cret");
    expect(parseQueueUrl("redis://127.0.0.1:6379")).toMatchObject({ queue: "rag-runs", prefix: "rag" });
    expect(parseQueueUrl("rediss://h:1").connection.tls).toEqual({});
  });

  it.each([
    ["postgres://x", /not a Redis URL/],
    ["redis://h/abc", /database must be a number/],
    ["redis://h?queue=a:b", /queue name/],
    ["redis://h?prefix=", /key prefix/],
    ["not a url", /not a Redis URL/],
  ])("refuses %s", (url, message) => {
    expect(() => parseQueueUrl(url)).toThrow(ScaleConfigError);
    expect(() => parseQueueUrl(url)).toThrow(message);
  });
});
