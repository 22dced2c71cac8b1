/**
 * `now`: the current time, in UTC and optionally in an IANA time zone (`Europe/Paris`),
 * from the host clock (or an injected one, for tests).
 */
import { z } from "zod";
import { tool, type ToolDefinition } from "../../registry/index.js";
import { NodeError } from "../../runtime/errors.js";

export interface NowOptions {
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly clock?: () => number;
}

export function now(options: NowOptions = {}): ToolDefinition {
  const clock = options.clock ?? Date.now;
  return tool({
    description: "The current date and time: ISO-8601 in UTC, Unix milliseconds, and the local time in an optional IANA time zone such as Europe/Paris.",
    schema: z.object({ timezone: z.string().optional().describe("IANA time zone, e.g. America/New_York") }),
    readOnly: true,
    run({ timezone }) {
      const t = clock();
      const iso = new Date(t).toISOString();
      if (!timezone) return { iso, unixMs: t, timezone: "UTC" };
      let local: string;
      try {
        local = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "shortOffset" }).format(t);
      } catch {
        throw new NodeError(`now: unknown time zone \`${timezone}\` (use an IANA name such as Europe/Paris)`, "permanent");
      }
      return { iso, unixMs: t, timezone, local };
    },
  });
}
