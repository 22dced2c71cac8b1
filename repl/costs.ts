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
