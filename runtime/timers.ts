/**
 * Timer bounds, in a module of its own (no imports): the middleware's sleep uses them
 * without loading the runtime.
 */

/**
 * The longest delay Node's timers take (2^31 − 1 ms, ~24.8 days): a longer one fires after
 * 1 ms (TimeoutOverflowWarning), so `timeout 600h` timed every task out at once (red team
 * 12A). Longer timeouts and delays wait this long.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
