/** The budget ledgers refuse a reservation that is not a count, before counting anything (`registry/spend.ts`). */
import { describe, expect, it } from "vitest";
import { JointLedger, LinkedLedger, SpendBook, SpendCountError } from "../../registry/index.js";
import { errorToJson, RagError } from "../../runtime/index.js";

describe("SpendLedger.reserve", () => {
  for (const [tokens, usd] of [[-1, 0], [Number.NaN, 0], [0, Number.POSITIVE_INFINITY]] as const) {
    it(`SpendBook refuses ${tokens} tokens, ${usd} USD and counts nothing`, () => {
      const book = new SpendBook();
      expect(() => book.reserve("n", tokens, usd)).toThrow(SpendCountError);
      expect(book.run.reservedTokens).toBe(0);
      expect(book.empty).toBe(true);
    });
    it(`JointLedger refuses ${tokens} tokens, ${usd} USD before either ledger counts it`, () => {
      const thread = new SpendBook();
      const outer = new SpendBook();
      const joint = new JointLedger(thread, { tokens: 0, usd: 0 }, outer);
      expect(() => joint.reserve("n", tokens, usd)).toThrow(/a budget reservation must be counts ≥ 0/);
      expect(thread.empty && outer.empty).toBe(true);
    });
  }
  it("the refusal is a RagError with the stable code `spend_count` (what events and --json show)", () => {
    let caught: unknown;
    try {
      new SpendBook().reserve("n", -1, 0);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RagError);
    expect(errorToJson(caught)).toEqual({ name: "SpendCountError", code: "spend_count", message: "a budget reservation must be counts ≥ 0 (got -1 tokens, 0 USD)" });
  });
  it("a count is reserved in both ledgers of a JointLedger", async () => {
    const thread = new SpendBook();
    const outer = new SpendBook();
    await new JointLedger(thread, { tokens: 0, usd: 0 }, outer).reserve("n", 5, 0.5);
    expect([thread.run.reservedTokens, outer.run.reservedTokens]).toEqual([5, 5]);
  });
});

describe("SpendLedger.extend", () => {
  it("a linked ledger's extension is counted in the enclosing ledger at once (what other runs sharing it read), in its thread's record, and released by the call's settle", () => {
    const session = new SpendBook();
    const thread = new SpendBook();
    const linked = new LinkedLedger(thread, { tokens: 0, usd: 0 }, session, "t");
    void linked.reserve("n", 100, 0.1);
    linked.extend("n", 50, 0.05);
    expect([session.run.reservedTokens, session.node("n").reservedTokens, linked.run.reservedTokens]).toEqual([150, 150, 150]);
    // A crash now leaves the extension in the thread's record: counted as spent on a resume.
    expect(thread.record().tokens).toBe(150);
    expect(() => linked.extend("n", -10, 0)).toThrow(SpendCountError);
    linked.settle("n", { tokens: 150, usd: 0.15 }, { tokens: 120, usd: 0.12 });
    expect([session.run.reservedTokens, session.run.tokens, thread.run.reservedTokens, thread.run.tokens]).toEqual([0, 120, 0, 120]);
  });
});
