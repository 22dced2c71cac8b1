/**
 * The studio end-to-end tests' harness (test/studio/e2e*.test.ts): one Debian chromium per
 * file (playwright-core, never a browser download), and per test a studio of its own —
 * a temp copy of examples/ plus the fixtures, a server and a page — so that each test
 * passes alone and in any order. Also what `window.studio` exposes (studio/app/main.ts),
 * and helpers that wait on conditions the page signals rather than on fixed delays (a
 * loaded machine is slow to get there).
 * Screenshots go to a temp folder, or to docs/studio/ with STUDIO_SCREENSHOTS=1.
 * E2E_THROTTLE=8 slows the page's main thread 8 times (Chrome's CPU throttling), as a
 * loaded CI machine does: every wait is on a condition, so the tests still pass.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, onTestFinished } from "vitest";
import { buildStudio } from "../../studio/build.js";
import { testStudio, type TestStudio } from "../server/helpers.js";
import { FAILING, TYPED, TOOLGATE, ORDER, SUBFLOW } from "./fixtures.js";

export const CHROMIUM = "/usr/bin/chromium";
export const SHOTS = process.env.STUDIO_SCREENSHOTS ? new URL("../../docs/studio/", import.meta.url).pathname : mkdtempSync(join(tmpdir(), "studio-shots-"));

/** The port the last studio of this file listened on. */
let lastPort: number | undefined;

/** The built page (built once per process; later calls reuse the build) and a headless chromium. */
export async function launchStudioBrowser(): Promise<StudioBrowser> {
  const staticDir = await buildStudio();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  return { browser, staticDir };
}

/** The built page and the browser a test file's studios are opened in. */
export interface StudioBrowser {
  browser: Browser;
  staticDir: string;
}

/**
 * For a test file: launches the browser before its tests (when Debian's chromium is
 * installed; guard the tests with `describe.skipIf(!existsSync(CHROMIUM))`) and closes it
 * after them. The object returned is filled in by then, to pass to `studioPage`.
 */
export function useStudioBrowser(): StudioBrowser {
  const env = {} as StudioBrowser;
  beforeAll(async () => {
    if (existsSync(CHROMIUM)) Object.assign(env, await launchStudioBrowser());
  }, 60_000);
  afterAll(async () => {
    await env.browser?.close();
    // The screenshots' temp folder (`studioPage` makes it again for the next file's).
    if (!process.env.STUDIO_SCREENSHOTS) rmSync(SHOTS, { recursive: true, force: true });
  });
  return env;
}

/**
 * A studio of the test's own: a temp workspace (the examples, the fixtures, a folder
 * tree), its server, and a page on it opened at `file` and ready. Closed when the test
 * ends, whatever the outcome. `setup`, when given, runs before the page opens: to add a
 * file of the test's own, or register a model the page's language worker then knows.
 */
export async function studioPage(env: StudioBrowser, file = "research_review.rag", setup?: (s: TestStudio) => void | Promise<void>): Promise<{ s: TestStudio; page: Page }> {
  // On the port of the previous test's studio (closed by now) when it is free: the page's
  // assets keep their URLs, so the browser's cache (and V8's code cache of Monaco's 3 MB
  // chunk) serves them; a fresh origin would parse everything cold, seconds per test.
  const s = await testStudio({ staticDir: env.staticDir, ...(lastPort !== undefined ? { port: lastPort } : {}) }).catch(() => testStudio({ staticDir: env.staticDir }));
  lastPort = s.server.port;
  mkdirSync(SHOTS, { recursive: true });
  const page = await env.browser.newPage({ viewport: { width: 1400, height: 900 } });
  onTestFinished(async () => {
    await page.close().catch(() => undefined);
    await s.close();
  });
  // An interrupt with a typed answer (`resume { … }`): its form has one field per property.
  writeFileSync(join(s.dir, "typed.rag"), TYPED);
  // A run that fails in its first superstep (input `v` not a number).
  writeFileSync(join(s.dir, "failing.rag"), FAILING);
  // A tool call that waits for approval (`approve [..]`), answered with edited arguments.
  writeFileSync(join(s.dir, "toolgate.rag"), TOOLGATE);
  // Nested input types: an object as nested fields, lists as rows.
  writeFileSync(join(s.dir, "order.rag"), ORDER);
  // A run paused inside a subgraph of a subgraph.
  writeFileSync(join(s.dir, "subflow.rag"), SUBFLOW);
  // The file list is a tree: a file two folders down, and a .ragsh beside it.
  mkdirSync(join(s.dir, "flows", "deep"), { recursive: true });
  writeFileSync(join(s.dir, "flows", "deep", "nested.rag"), TOOLGATE.replace("graph toolgate", "graph nested"));
  writeFileSync(join(s.dir, "flows", "notes.ragsh"), "print(1)\n");
  await setup?.(s);
  if (process.env.E2E_THROTTLE) await (await page.context().newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate: Number(process.env.E2E_THROTTLE) });
  await page.goto(s.server.url.replace("/?", `/?file=${encodeURIComponent(file)}&`));
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  return { s, page };
}

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
  analysis?: { version: number; sameView?: string; viewHash?: string; view?: { id: string; hash: string } };
  opened?: string;
  lastUpdate?: { version: number };
}
declare const window: { studio?: PageStudio; keptSvg?: unknown; __xss?: unknown };
declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };

/** Polls the thread list until thread `threadId` has status `want` (up to 30 s: a loaded machine may be slow to get there); fails the test if it has not by then. */
export async function untilStatus(s: TestStudio, threadId: string, want: "interrupted" | "completed" | "failed"): Promise<void> {
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

/** Puts the cursor on the buffer's first error marker and accepts its first quick fix (see `acceptQuickFix`). */
export async function quickFixFirstError(page: Page): Promise<void> {
  await page.evaluate(() => {
    const ed = window.studio!.editor;
    const mk = window.studio!.monaco.editor.getModelMarkers({}).find((m) => m.severity === 8)!;
    ed.setPosition({ lineNumber: mk.startLineNumber, column: mk.startColumn + 1 });
    ed.focus();
  });
  await acceptQuickFix(page);
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
