/**
 * Work units (`Evaluator.work`: one operation per 256) of native steps that cost more
 * than scanning one character or moving one list item.
 */

/**
 * Writing one key into a session object (object spread, `Object.assign`,
 * `Object.fromEntries`): a hash-table insertion into a null-prototype (dictionary-mode)
 * object, measured at ~100–150 ns against ~1–5 ns for an item moved in a list, so it is
 * charged as 32 units. At 1 unit, 500 spreads of a 20,000-key object ran 2.6 s (8 s on a
 * loaded machine) inside a 30,000-operation budget.
 */
export const KEY_WRITE_WORK = 32;

/**
 * Listing one key of a session object (`Object.keys` and what uses it: `keys()`, `len()`,
 * `for … in`, spreads): V8 collects a dictionary-mode object's keys and orders them by
 * insertion, measured at ~450–800 ns a key against ~1,400–1,800 ns for a key write and
 * ~60–85 ns for an item copied (one loaded machine; the ratios are what count), so it is
 * charged as 16 units. At 1 unit, a loop of `len()` on a 100,000-key record ran ~130 ms a
 * call for 390 operations: a 1,000,000-operation budget was minutes.
 */
export const KEY_LIST_WORK = 16;
