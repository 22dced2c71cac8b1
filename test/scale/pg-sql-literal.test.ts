/**
 * The literals `ThreadLocks.batch` inlines into its one-round-trip transactions
 * (`scale/pg-thread-locks.ts`): every value must read back from the real Postgres exactly
 * as a bound parameter would — quotes, backslashes, `$1` inside text, unicode, JSON.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inlineSql, sqlLiteral } from "../../scale/pg-thread-locks.js";
import { missingServices, PG_URL } from "../helpers/services.js";

const skip = await missingServices(["postgres"]);
let client: pg.Client;
beforeAll(async () => {
  if (skip) return;
  client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
});
afterAll(async () => {
  if (!skip) await client.end();
});

describe.skipIf(skip)("inlined SQL literals", () => {
  it("text reads back exactly, whatever it holds", async () => {
    const texts = ["plain", "it's", "back\\slash \\' mix", "$1 and $2 stay text", '{"a":"b\\"c","d":[1,2]}', "ünïcødé ✓ 𝄞", "", "line\nbreak\ttab", "E'x'"];
    for (const t of texts) {
      const { rows } = await client.query<{ v: string }>(`SELECT ${sqlLiteral(t)}::text AS v`);
      expect(rows[0].v).toBe(t);
    }
  });

  it("placeholders are replaced in one pass; numbers and null as literals", async () => {
    const sql = inlineSql("SELECT $1::text AS a, $2::int AS b, $3::text AS c, $10::text AS j", ["$2", 42, null, 4, 5, 6, 7, 8, 9, "ten"]);
    const { rows } = await client.query(sql);
    expect(rows[0]).toEqual({ a: "$2", b: 42, c: null, j: "ten" });
  });

  it("a NUL character is refused (Postgres text cannot hold it)", () => {
    expect(() => sqlLiteral("a\0b")).toThrow(/NUL/);
  });
});
