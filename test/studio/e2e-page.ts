/**
 * The studio end-to-end tests' view of the page and their waits (test/studio/e2e.test.ts):
 * what `window.studio` exposes (studio/app/main.ts), and helpers that wait on conditions
 * the page signals rather than on fixed delays (a loaded machine is slow to get there).
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { TestStudio } from "../server/helpers.js";

/** What the page exposes to tests (studio/app/main.ts `window.studio`), for code run in the page. */
export interface Marker {
  severity: number;
  code?: string;
  startLineNumber: number;
  startColumn: number;
}
export interface PageStudio {
  editor: {
    getSelection(): { startLineNumber: number } | null;
    getModel(): { getValue(): string; setValue(v: string): void; getLineContent(line: number): string; getLineCount(): number; getLineMaxColumn(line: number): number } | null;
    getAction(id: string): { run(): Promise<void> } | null;
    setPosition(p: { lineNumber: number; column: number }): void;
    focus(): void;
    trigger(source: string, handlerId: string, payload: unknown): void;
  };
  monaco: { editor: { getModelMarkers(filter: object): Marker[] } };
  analysis?: { version: number; sameView?: string; view?: { id: string } };
  opened?: string;
  lastUpdate?: { version: number };
}
declare const window: { studio?: PageStudio; keptSvg?: unknown; __xss?: unknown };
declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };

/** Polls the thread list until thread `threadId` has status `want` (up to 30 s: a loaded machine may be slow to get there); fails the test if it has not by then. */
export async function untilStatus(s: TestStudio, threadId: string, want: "interrupted" | "completed"): Promise<void> {
  let status: string | undefined;
  for (let i = 0; i < 300; i++) {
    status = (await s.api<{ threadId: string; status: string }[]>("GET", "/api/threads")).json.find((t) => t.threadId === threadId)?.status;
    if (status === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(status, `thread ${threadId} after 30 s`).toBe(want);
}

export const untilInterrupted = (s: TestStudio, threadId: string) => untilStatus(s, threadId, "interrupted");

/**
 * Opens Monaco's quick-fix menu at the cursor (Ctrl+.) and accepts its first fix (Enter),
 * once the menu is up with a fix focused: the fixes come from the language worker, and on
 * a loaded machine the menu opens later than a fixed wait, when Enter would have gone into
 * the buffer as a new line.
 */
export async function acceptQuickFix(page: Page): Promise<void> {
  await page.keyboard.press("Control+.");
  await page.waitForSelector(".action-widget .monaco-list-row.focused");
  await page.keyboard.press("Enter");
}

/**
 * Clicks `path` in the file list and waits until the page has opened it: its analysis
 * painted and its run form drawn (studio/app/main.ts `opened`). The file name changes
 * before either, and the graph pane still holds the previous file's drawing then, so
 * waiting on those let a test read the last file's run form on a loaded machine.
 */
export async function openFile(page: Page, path: string): Promise<void> {
  await page.evaluate(() => (window.studio!.opened = undefined));
  await page.click(`#files .file[data-path="${path}"]`);
  await page.waitForFunction((p) => window.studio!.opened === p && document.querySelector(`#graph svg`) !== null, path);
}

/** Clicks the side panel's tab `name`. */
export async function tab(page: Page, name: string): Promise<void> {
  await page.click(`#tabs button[data-tab=${name}]`);
}
