/**
 * Polls `check` every `everyMs` until it holds; throws naming `what` after `timeoutMs`
 * (tests that wait for a worker, a queue or a server to reach a state).
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, { timeoutMs = 10_000, everyMs = 25 } = {}): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, everyMs));
  }
}
