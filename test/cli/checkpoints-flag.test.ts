/** Printed `rag resume` hints name the checkpoint store, never its password. */
import { describe, expect, it } from "vitest";
import { checkpointsFlag, resumeCommandLine } from "../../cli/checkpoints.js";

describe("--checkpoints in printed command lines", () => {
  it("drops a Postgres URL's password (pg takes it from PGPASSWORD or ~/.pgpass)", () => {
    expect(checkpointsFlag("postgres://rag:s3cret@db.internal:5432/app?schema=x")).toBe(" --checkpoints 'postgres://rag@db.internal:5432/app?schema=x'");
    expect(resumeCommandLine("t1", [], "postgresql://u:p%40ss@h/db")).toBe("rag resume t1 --checkpoints postgresql://u@h/db");
    expect(checkpointsFlag("postgres://rag@h/db")).toBe(" --checkpoints postgres://rag@h/db");
  });

  it("keeps a file path as typed, and prints nothing for the default", () => {
    expect(checkpointsFlag("runs/a b.db")).toBe(" --checkpoints 'runs/a b.db'");
    expect(checkpointsFlag(undefined)).toBe("");
  });
});
