import { describe, expect, it } from "vitest";
import { GraphBuilder, t } from "../../index.js";
import { StateSizeError } from "../../runtime/errors.js";
import { byChannel, StateGauge } from "../../runtime/state-size.js";
import { ChannelTable, type PendingWrite } from "../../runtime/state.js";

/**
 * The barrier's check of the state a step would leave (`StateGauge.check`), for a step that
 * wrote once (each superstep of an agent loop) and for one that wrote several times: the
 * same arithmetic, the same refusal naming the channel and its writer.
 */
describe("StateGauge.check at the barrier", () => {
  const bp = new GraphBuilder("g").state({ notes: t.list(t.string()).reducer("append"), title: t.string() }).node("a", { kind: "noop" }).start("a").build();
  const gauge = (max: number) => {
    const g = new StateGauge(max, new ChannelTable(bp));
    g.measure({ notes: ["x".repeat(40)], title: "y".repeat(40) });
    return g;
  };
  const write = (channel: string, value: unknown, node = "a"): PendingWrite => ({ channel, value, taskId: `${node}-1`, node });
  const where = { graph: "g", step: 3 };

  it("refuses one write that takes an appending channel past the bound, naming the channel and its node", () => {
    const g = gauge(150);
    const refusal = (() => {
      try {
        g.check(byChannel([write("notes", "z".repeat(80), "writer")]), where);
      } catch (e) {
        return e;
      }
    })();
    expect(refusal).toBeInstanceOf(StateSizeError);
    expect(refusal).toMatchObject({ code: "state_too_large", channel: "notes", graph: "g", step: 3, node: "writer", taskId: "writer-1" });
    // Within the bound it passes.
    expect(() => gauge(300).check(byChannel([write("notes", "z".repeat(80))]), where)).not.toThrow();
  });

  it("counts one overwrite as replacing its channel's bytes, not adding to them", () => {
    // 44 + 42 bytes now; a 60-character title replaces 42 bytes by 62: 106 in all.
    expect(() => gauge(110).check(byChannel([write("title", "t".repeat(60))]), where)).not.toThrow();
    expect(() => gauge(100).check(byChannel([write("title", "t".repeat(60))]), where)).toThrow(StateSizeError);
  });

  it("gives one write the verdict it gets among several writes of other channels", () => {
    for (const max of [100, 150, 200, 250]) {
      const one = () => gauge(max).check(byChannel([write("notes", "z".repeat(80))]), where);
      const several = () => gauge(max).check(byChannel([write("title", "y".repeat(40)), write("notes", "z".repeat(80))]), where);
      expect(thrown(one)).toBe(thrown(several));
    }
  });
});

function thrown(f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (!(e instanceof StateSizeError)) throw e;
    return true;
  }
}
