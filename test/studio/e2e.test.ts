/**
 * The studio in a real browser: Debian's chromium driven by playwright-core (never a
 * browser download) against a real studio server over a temp copy of examples/.
 * Screenshots go to a temp folder, or to docs/studio/ with STUDIO_SCREENSHOTS=1.
 * E2E_THROTTLE=8 slows the page's main thread 8 times (Chrome's CPU throttling), as a
 * loaded CI machine does: every wait here is on a condition, so the tests still pass.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildStudio } from "../../studio/build.js";
import { testStudio, type TestStudio } from "../server/helpers.js";
import { TYPED, TOOLGATE, ORDER, HOSTILE, SUBFLOW } from "./fixtures.js";
import { acceptQuickFix, openFile, tab, untilInterrupted, untilStatus, type PageStudio } from "./e2e-page.js";

declare const window: { studio?: PageStudio; keptSvg?: unknown; __xss?: unknown };
declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
declare function getComputedStyle(e: unknown): { color: string };



const CHROMIUM = "/usr/bin/chromium";
const SHOTS = process.env.STUDIO_SCREENSHOTS ? new URL("../../docs/studio/", import.meta.url).pathname : mkdtempSync(join(tmpdir(), "studio-shots-"));

let s: TestStudio;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const staticDir = await buildStudio();
  s = await testStudio({ staticDir });
  // An interrupt with a typed answer (`resume { … }`): its form has one field per property.
  writeFileSync(join(s.dir, "typed.rag"), TYPED);
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
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (process.env.E2E_THROTTLE) await (await page.context().newCDPSession(page)).send("Emulation.setCPUThrottlingRate", { rate: Number(process.env.E2E_THROTTLE) });
  await page.goto(s.server.url.replace("/?", "/?file=research_review.rag&"));
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe.skipIf(!existsSync(CHROMIUM))("studio in chromium", () => {
  it("draws the graph beside the source, with sends and joins drawn apart", async () => {
    await page.waitForSelector('#graph g.node[data-node="supervisor"]');
    expect(await page.locator("#graph g.edge[data-edge-kind=send]").count()).toBeGreaterThan(0);
    expect(await page.locator("#graph g.edge[data-edge-kind=join]").count()).toBeGreaterThan(0);
    await page.click('#graph g.node[data-node="review"]');
    const line = await page.evaluate(() => window.studio!.editor.getSelection()!.startLineNumber);
    expect(line).toBe(16);
    await page.screenshot({ path: join(SHOTS, "editor-graph.png") });
  });

  it("lists the workspace as a folder tree that folds, and opens and saves a nested file", async () => {
    const nested = '#files details.folder[data-dir="flows"] > details.folder[data-dir="flows/deep"] > .file[data-path="flows/deep/nested.rag"]';
    expect(await page.locator(nested).textContent()).toBe("nested.rag");
    expect(await page.locator('#files details.folder[data-dir="flows"] > .file.ragsh[data-path="flows/notes.ragsh"]').count()).toBe(1);
    // Root files stay at the top level.
    expect(await page.locator('#files > .file[data-path="approval.rag"]').count()).toBe(1);
    await page.click('#files details.folder[data-dir="flows"] > summary');
    expect(await page.locator(nested).isVisible()).toBe(false);
    await page.click('#files details.folder[data-dir="flows"] > summary');
    await openFile(page, "flows/deep/nested.rag");
    expect(await page.locator(nested).getAttribute("class")).toContain("on");
    await page.waitForSelector('#graph g.node[data-node="t"]');
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace('"alpha"', '"beta"'));
    });
    await page.click("#save");
    await page.waitForFunction(() => document.getElementById("status")!.textContent === "saved flows/deep/nested.rag");
    expect(readFileSync(join(s.dir, "flows", "deep", "nested.rag"), "utf8")).toContain('query: "beta"');
  });

  it("a typo gets an error marker and a quick fix that repairs it", async () => {
    await openFile(page, "approval.rag");
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace("writes decision", "writes decisoin"));
    });
    await page.waitForFunction(() => window.studio!.monaco.editor.getModelMarkers({}).some((m) => m.severity === 8));
    await page.waitForSelector("#tab-problems .problem.error .fix");
    // While the buffer does not compile, the last drawing stays, faded and marked out of date.
    await page.waitForSelector('#graph.stale > .stale-note');
    expect(await page.locator('#graph.stale svg g.node[data-node="review"]').count()).toBe(1);
    expect(await page.locator("#graph-select option").allTextContents()).toEqual(["approval"]);
    await page.screenshot({ path: join(SHOTS, "problems.png") });
    // Monaco's quick fix: put the cursor on the marker and run the code action.
    await page.evaluate(() => {
      const ed = window.studio!.editor;
      const mk = window.studio!.monaco.editor.getModelMarkers({}).find((m) => m.severity === 8)!;
      ed.setPosition({ lineNumber: mk.startLineNumber, column: mk.startColumn + 1 });
      ed.focus();
    });
    await acceptQuickFix(page);
    await page.waitForFunction(() => window.studio!.editor.getModel()!.getValue().includes("writes decision") && window.studio!.monaco.editor.getModelMarkers({}).every((m) => m.severity !== 8));
    await page.waitForSelector("#graph:not(.stale) svg");
    expect(await page.locator("#graph > .stale-note").count()).toBe(0);
    // Typing `{` brings its `}`, and a quote its close (the configuration VS Code gets too).
    const fixed = await page.evaluate(() => window.studio!.editor.getModel()!.getValue());
    await page.evaluate(() => {
      const ed = window.studio!.editor;
      const m = ed.getModel()!;
      ed.setPosition({ lineNumber: m.getLineCount(), column: m.getLineMaxColumn(m.getLineCount()) });
      ed.focus();
    });
    // Typed one key at a time through Monaco's own `type` command, in one page task. Monaco
    // auto-closes only on a line it has tokenized, which its background tokenizer may not
    // have reached between two keys on a loaded machine (CI): bring it up to date first,
    // as it is between the keys of a person typing.
    const typed = await page.evaluate(() => {
      const ed = window.studio!.editor;
      const m = ed.getModel()!;
      for (const ch of '\ngraph t { metadata { a: "') {
        // (not in monaco's .d.ts; the text model's tokenization part since 0.3x)
        (m as unknown as { tokenization: { forceTokenization(line: number): void } }).tokenization.forceTokenization(m.getLineCount());
        ed.trigger("keyboard", "type", { text: ch });
      }
      return ed.getModel()!.getValue();
    });
    // Put the buffer back before asserting, so a failure here does not leave the later tests a broken file.
    await page.evaluate((text) => window.studio!.editor.getModel()!.setValue(text), fixed);
    expect(typed.trimEnd().split("\n").at(-1)).toBe('graph t { metadata { a: ""}}');
    await page.waitForFunction(() => window.studio!.monaco.editor.getModelMarkers({}).every((m) => m.severity !== 8));
    await page.waitForSelector("#graph:not(.stale) svg");
    // The loop's back edge (revise → draft) does not lift a node above START, and the
    // route labels lie inside the drawing, clear of every node.
    interface Box { x: number; y: number; width: number; height: number }
    type SvgEl = { getBBox(): Box; getAttribute(name: string): string | null; textContent: string | null; dataset: { node?: string } };
    const nodes = await page.locator("#graph g.node").evaluateAll((gs) =>
      (gs as unknown as SvgEl[]).map((g) => {
        const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute("transform")!)!;
        const b = g.getBBox();
        return { id: g.dataset.node, x: Number(m[1]), y: Number(m[2]), w: b.width, h: b.height };
      }),
    );
    const labels = await page.locator("#graph .edge-label").evaluateAll((ts) => (ts as unknown as SvgEl[]).map((t) => ((b) => ({ text: t.textContent, x: b.x, y: b.y, width: b.width, height: b.height }))(t.getBBox())));
    const [vx, , vw] = (await page.locator("#graph svg").getAttribute("viewBox"))!.split(" ").map(Number);
    const layout = { nodes, labels, view: { x: vx, w: vw } };
    const top = Math.min(...layout.nodes.map((n) => n.y));
    expect(layout.nodes.find((n) => n.id === "START")!.y).toBe(top);
    expect(layout.nodes.filter((n) => n.y === top).map((n) => n.id)).toEqual(["START"]);
    expect(layout.labels.map((l) => l.text).sort()).toEqual(["approve", "reject", "revise"]);
    for (const l of layout.labels) {
      expect(l.x + l.width, `label ${l.text}`).toBeLessThanOrEqual(layout.view.x + layout.view.w);
      for (const n of layout.nodes) expect(l.x + l.width <= n.x || n.x + n.w <= l.x || l.y + l.height <= n.y || n.y + n.h <= l.y, `label ${l.text} over node ${n.id}`).toBe(true);
    }
  });

  it("the graph updates after an edit", async () => {
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace("next END\n  }\n}", "next extra\n  }\n\n  node extra {\n    kind set\n    set { log: \"extra\" }\n    next END\n  }\n}"));
    });
    await page.waitForSelector('#graph g.node[data-node="extra"]');
    // The Diff tab is `rag diff`: the buffer against its saved file (text and semantic), or another file.
    await tab(page, "diff");
    await page.waitForSelector("[data-testid=diff-editor] .monaco-diff-editor");
    await page.waitForFunction(() => /\+ node extra \(set\)/.test(document.querySelector("[data-testid=diff-semantic]")?.textContent ?? ""), undefined, { timeout: 10_000 });
    expect(await page.locator("[data-testid=diff-semantic]").textContent()).toMatch(/^diff approval .*\n\+ node extra \(set\)\n[\s\S]*\+ edge extra -> END\n4 changes\n$/);
    await page.selectOption("[data-testid=diff-with]", "research_review.rag");
    await page.waitForFunction(() => /^diff research_review → approval/.test(document.querySelector("[data-testid=diff-semantic]")?.textContent ?? ""), undefined, { timeout: 10_000 });
    await tab(page, "problems");
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace("next extra", "next END").replace(/\n\n  node extra \{[^}]*\}[^}]*\}/, ""));
    });
    await page.waitForFunction(() => !document.querySelector('#graph g.node[data-node="extra"]'));
    // Spacing changes no blueprint: the worker does not send the view again, and the
    // page neither lays out nor redraws (the very same SVG element stays).
    const version = await page.evaluate(() => {
      window.keptSvg = document.querySelector("#graph svg");
      const m = window.studio!.editor.getModel()! as unknown as { getValue(): string; setValue(v: string): void; getVersionId(): number };
      m.setValue(m.getValue().replace("kind set", "kind set   "));
      return m.getVersionId();
    });
    await page.waitForFunction((v) => (window.studio!.lastUpdate?.version ?? 0) >= v, version);
    expect(await page.evaluate(() => ({ same: window.studio!.analysis!.sameView, view: window.studio!.analysis!.view?.id, svgKept: document.querySelector("#graph svg") === window.keptSvg }))).toEqual({ same: "approval", view: "approval", svgKept: true });
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace("kind set   ", "kind set"));
    });
  });

  it("runs research_review: 3 supersteps, one fan-out, the join once", async () => {
    await openFile(page, "research_review.rag");
    await tab(page, "runs");
    // Cancel is offered only while a run is going
    expect(await page.locator("[data-testid=cancel]").isDisabled()).toBe(true);
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=run-status][data-status=completed]', { timeout: 20_000 });
    expect(await page.locator("[data-testid=cancel]").isDisabled()).toBe(true);
    expect(await page.locator("#tab-runs .step").count()).toBe(3);
    expect(await page.locator("#tab-runs [data-testid=fanout]").count()).toBe(1);
    expect(await page.locator("#tab-runs [data-testid=join]").count()).toBe(1);
    // Each task with its model calls and tokens (the review is the join's task, superstep 3).
    expect(await page.locator("#tab-runs .step[data-step='3'] .task[data-node=review] .task-result").textContent()).toMatch(/\d+ model calls? · \d+ tokens/);
    // Replaying superstep 2 lights its nodes (the fan-out's branches) on the graph.
    await page.click("#tab-runs .step[data-step='2'] .step-head");
    expect(await page.locator("#graph g.node.active").evaluateAll((gs) => gs.map((g) => (g as unknown as { dataset: { node: string } }).dataset.node).sort())).toEqual(["agent:research_agent", "agent:verifier_agent"]);
    await page.click("#tab-runs .step[data-step='2'] .task");
    await page.screenshot({ path: join(SHOTS, "runs.png") });
  });

  it("answers an interrupt in approval.rag, then forks from a checkpoint and re-runs", async () => {
    await openFile(page, "approval.rag");
    await tab(page, "runs");
    // The previous file's run (research_review) is not shown for this file.
    expect(await page.locator("#tab-runs .step").count()).toBe(0);
    expect(await page.locator("#tab-runs [data-testid=run-status]").count()).toBe(0);
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=interrupt] button[data-answer=approve]', { timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, "interrupt.png") });
    await page.click('[data-testid=interrupt] button[data-answer=approve]');
    await page.waitForSelector('[data-testid=run-status][data-status=completed]', { timeout: 20_000 });
    const published = await page.locator("#tab-runs .state").textContent();
    expect(published).toContain("published");
    // The resumed run's steps never wrote `draft`: its state is still shown (from the
    // checkpoint the run resumed from), not only the channels the resumed steps changed.
    await page.waitForFunction(() => document.querySelector("#tab-runs .state")!.textContent!.includes("pause for a human and resume later"));
    // Fork at the paused checkpoint (step 1) and re-run it with another answer.
    await page.click('#tab-runs .checkpoint[data-step="1"] button[data-action=rerun]');
    await page.waitForSelector('[data-testid=interrupt] button[data-answer=reject]');
    await page.click('[data-testid=interrupt] button[data-answer=reject]');
    await page.waitForSelector('[data-testid=run-status][data-status=completed]', { timeout: 20_000 });
    const threads = await s.api<{ threadId: string; graph: string; status: string }[]>("GET", "/api/threads");
    expect(threads.json.filter((t) => t.graph === "approval" && t.status === "completed").length).toBeGreaterThanOrEqual(2);
    // updateState from the checkpoints pane: a new checkpoint (source "update") with the value.
    const before = await page.locator("#tab-runs .checkpoint").count();
    // A refused edit says why; the accepted one after it replaces that line.
    await page.fill("[data-testid=state-edit]", '{"draft": 5}');
    await page.click("[data-testid=update-state]");
    await page.waitForSelector("[data-testid=run-info]:has-text('expected string')");
    await page.fill("[data-testid=state-edit]", '{"draft": "edited by hand"}');
    await page.click("[data-testid=update-state]");
    await page.waitForFunction((n) => document.querySelectorAll("#tab-runs .checkpoint").length === n + 1, before);
    expect(await page.locator("[data-testid=run-info]").textContent()).toMatch(/^state updated: a new checkpoint at step \d+ of thread-/);
    expect(await page.locator("#tab-runs .checkpoint").first().textContent()).toContain("update");
    expect(await page.locator("#tab-runs .state").textContent()).toContain("edited by hand");
    await page.screenshot({ path: join(SHOTS, "history.png") });
    // Fork (without re-running) at the paused checkpoint: the answer form is the fork's
    // question, and answering it continues the fork, not the thread shown before.
    const shown = await page.locator("#tab-runs .history [data-thread]").getAttribute("data-thread");
    await page.click('#tab-runs .checkpoint[data-step="1"] button[data-action=fork]');
    await page.waitForFunction((t) => { const d = document.querySelector("#tab-runs .history [data-thread]") as unknown as { dataset: { thread: string } } | null; return d !== null && d.dataset.thread !== t; }, shown);
    const fork = (await page.locator("#tab-runs .history [data-thread]").getAttribute("data-thread"))!;
    // The timeline was the re-run's, on another thread: it is not shown under the fork.
    expect(await page.locator("#tab-runs .step").count()).toBe(0);
    await page.waitForSelector(`[data-testid=interrupt] .interrupt-box[data-thread="${fork}"] button[data-answer=revise]`);
    expect(await page.locator("[data-testid=run-status]").textContent()).toContain(fork);
    await page.click('[data-testid=interrupt] button[data-answer=revise]');
    // revise → draft → review again: the fork pauses a second time.
    await page.waitForSelector(`[data-testid=run-status][data-status=interrupted]:has-text("interrupted: approval on thread ${fork}")`, { timeout: 20_000 });
  });

  it("approves the blueprint and shows its hash", async () => {
    await tab(page, "review");
    await page.waitForSelector("[data-testid=approve]");
    const hash = await page.locator("[data-testid=hash]").first().textContent();
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    await page.click("[data-testid=approve]");
    await page.waitForSelector("[data-testid=approval-state]:has-text('approved'):not(:has-text('not'))");
    const approvals = await s.api<{ hash: string; approved: boolean }[]>("GET", "/api/review?file=approval.rag");
    expect(approvals.json[0]).toMatchObject({ hash, approved: true });
    // A later version: the review diffs it against the approved one (its source kept in
    // the approval record), semantically and as text in Monaco's diff editor.
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace("next END\n  }\n}", 'next extra\n  }\n\n  node extra {\n    kind set\n    set { log: "extra" }\n    next END\n  }\n}'));
    });
    await page.click("#save");
    await tab(page, "problems");
    await tab(page, "review");
    await page.waitForSelector("[data-testid=semantic-diff]:has-text('+ node extra (set)')");
    await page.waitForSelector("[data-testid=approved-diff][data-changes='1'] .monaco-diff-editor .line-insert", { timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, "review.png") });
  });

  it("runs .ragsh cells in the console", async () => {
    await tab(page, "repl");
    await page.fill("[data-testid=repl-input]", "let n = 6 * 7\nprint(n)");
    await page.click("[data-testid=repl-run]");
    await page.waitForSelector("#tab-repl .repl-out:has-text('42')");
    await page.screenshot({ path: join(SHOTS, "repl.png") });
  });

  it("answers a typed interrupt with one field per property, and lists a failed thread with its error", async () => {
    await openFile(page, "typed.rag");
    await tab(page, "runs");
    // The input form is typed from the input block: a number field, required.
    expect(await page.locator(".run-form input[data-field=rounds][type=number]").count()).toBe(1);
    await page.click("[data-testid=run]");
    await page.waitForSelector("[data-testid=input-error]:has-text('rounds is required')");
    await page.fill(".run-form input[data-field=rounds]", "2");
    await page.click("[data-testid=run]");
    await page.waitForSelector("[data-testid=answer-fields] [data-field=score]", { timeout: 20_000 });
    expect(await page.locator("[data-testid=answer-fields] select[data-field=urgent]").count()).toBe(1);
    // A score that is not a number is refused in the form (nothing is sent).
    await page.fill("[data-field=score]", "");
    await page.click("[data-testid=answer-submit]");
    await page.waitForSelector("[data-testid=interrupt] .error:has-text('score is required')");
    await page.fill("[data-field=score]", "4");
    await page.fill("[data-field=note]", "fine");
    await page.selectOption("select[data-field=urgent]", { label: "true" });
    await page.click("[data-testid=answer-submit]");
    await page.waitForSelector("[data-testid=run-status][data-status=completed]", { timeout: 20_000 });
    const state = await page.locator("#tab-runs .state").textContent();
    expect(state).toContain('"score": 4');
    expect(state).toContain('"urgent": true');
    // A run whose answer does not match the type fails; the thread list says why.
    const run = await s.api<{ threadId: string }>("POST", "/api/runs", { file: "typed.rag", input: { rounds: 1 } });
    await untilInterrupted(s, run.json.threadId);
    // Picked in the thread list, the paused thread offers its answer form.
    await page.click("#tab-runs h3 button[title=refresh]");
    await page.click(`#tab-runs .thread[data-thread="${run.json.threadId}"]`);
    await page.waitForSelector("[data-testid=interrupt] [data-testid=answer-fields] [data-field=score]");
    await s.api("POST", `/api/threads/${encodeURIComponent(run.json.threadId)}/resume`, { answer: { score: "high" } });
    await page.click("#tab-runs h3 button[title=refresh]");
    await page.waitForSelector(`#tab-runs .thread[data-thread="${run.json.threadId}"][data-status=failed] [data-testid=thread-error]`, { timeout: 10_000 });
    expect(await page.locator(`#tab-runs .thread[data-thread="${run.json.threadId}"] [data-testid=thread-error]`).textContent()).toContain("resume");
  });

  it("approves a tool call with edited arguments, checked against the tool's schema first", async () => {
    await openFile(page, "toolgate.rag");
    await tab(page, "runs");
    await page.click("[data-testid=run]");
    const query = "[data-testid=approval-args] input[data-field=query]";
    await page.waitForSelector(query, { timeout: 20_000 });
    expect(await page.inputValue(query)).toBe("alpha");
    await page.screenshot({ path: join(SHOTS, "tool-approval.png") });
    // An argument the tool requires, left empty: refused in the form, nothing sent.
    await page.fill(query, "");
    await page.click("[data-testid=approve-edited]");
    await page.waitForSelector("[data-testid=approval-errors]:has-text('query is required')");
    await page.fill(query, "superstep barrier");
    await page.click("[data-testid=approve-edited]");
    await page.waitForSelector("[data-testid=run-status][data-status=completed]", { timeout: 20_000 });
    // The tool ran with the edited query (it finds the superstep note, not the join note "alpha" falls back to).
    const state = await page.locator("#tab-runs .state").textContent();
    expect(state).toContain("runtime.md#1");
    expect(state).not.toContain("runtime.md#2");
    // Deny with a reason: the reason is required, and it reaches the run (a tool node fails with it).
    await page.click("[data-testid=run]");
    await page.waitForSelector("[data-testid=deny-with-reason]", { timeout: 20_000 });
    await page.click("[data-testid=deny-with-reason]");
    await page.waitForSelector("[data-testid=approval-errors]:has-text('give a reason')");
    await page.fill("[data-testid=deny-reason]", "wrong query");
    await page.click("[data-testid=deny-with-reason]");
    await page.waitForSelector("[data-testid=run-status][data-status=failed]", { timeout: 20_000 });
    expect(await page.locator("[data-testid=run-status]").textContent()).toContain("a person declined the call: wrong query");
  });

  it("the run form draws nested input types: objects as nested fields, lists as rows to add and remove", async () => {
    await openFile(page, "order.rag");
    await tab(page, "runs");
    const form = ".run-form";
    await page.waitForSelector(`${form} fieldset[data-field=customer] input[data-field="customer.name"]`);
    expect(await page.locator(`${form} fieldset[data-field=customer] select[data-field="customer.vip"]`).count()).toBe(1);
    const lines = `${form} fieldset[data-field=lines]`;
    await page.click(`${lines} > button[data-action=add-row]`);
    await page.click(`${lines} > button[data-action=add-row]`);
    await page.fill(`${form} input[data-field="customer.name"]`, "Ada");
    await page.fill(`${form} input[data-field="lines[0].sku"]`, "A1");
    await page.fill(`${form} input[data-field="lines[0].qty"]`, "2");
    await page.screenshot({ path: join(SHOTS, "input-form.png") });
    // The second row is left empty: refused, named by its place.
    await page.click("[data-testid=run]");
    await page.waitForSelector("[data-testid=input-error]:has-text('lines[1].sku is required')");
    await page.click(`${lines} .row[data-index="1"] button[data-action=remove-row]`);
    expect(await page.locator(`${lines} .row`).count()).toBe(1);
    await page.click("[data-testid=run]");
    await page.waitForSelector("[data-testid=run-status][data-status=completed]", { timeout: 20_000 });
    const threads = await s.api<{ threadId: string; graph: string; status: string }[]>("GET", "/api/threads");
    const t = threads.json.find((x) => x.graph === "order" && x.status === "completed")!;
    const hist = await s.api<{ values: Record<string, unknown> }[]>("GET", `/api/threads/${encodeURIComponent(t.threadId)}/history`);
    // The optional vip and tags were left out; qty is an integer, not text.
    expect(hist.json[0]!.values).toMatchObject({ customer: { name: "Ada" }, lines: [{ sku: "A1", qty: 2 }], tags: ["seen"] });
    expect(hist.json[0]!.values.customer).toEqual({ name: "Ada" });
  });

  it("a picked thread paused in a subgraph shows each child run in a nested, collapsible section, its values as text", async () => {
    await openFile(page, "subflow.rag");
    await tab(page, "runs");
    const run = await s.api<{ threadId: string }>("POST", "/api/runs", { file: "subflow.rag" });
    const t = run.json.threadId;
    await untilInterrupted(s, t);
    await page.click("#tab-runs h3 button[title=refresh]");
    await page.click(`#tab-runs .thread[data-thread="${t}"]`);
    // The parent's own state first, then one section per pending subgraph task, the deeper run inside.
    const mid = "#tab-runs .state > details[data-testid=subgraph][data-namespace='2.0:middle']";
    const leaf = `${mid} > details[data-testid=subgraph][data-namespace='2.0:middle|2.0/2.0:leaf']`;
    await page.waitForSelector(leaf, { state: "attached", timeout: 10_000 });
    expect(await page.locator("#tab-runs .state > table").textContent()).toContain("prepped");
    expect(await page.locator("#tab-runs .state details[data-testid=subgraph]").count()).toBe(2);
    // Collapsed at first: the summary shows, the values do not.
    expect(await page.locator(`${mid} > summary`).textContent()).toBe("executor [2.0] → middle · interrupted · step 1 · next inner");
    expect(await page.locator(`${mid} > table`).isVisible()).toBe(false);
    await page.click(`${mid} > summary`);
    expect(await page.locator(`${mid} > table`).textContent()).toContain("in the middle");
    expect(await page.locator(`${mid} > .dim`).textContent()).toBe("namespace 2.0:middle");
    expect(await page.locator(`${leaf} > summary`).textContent()).toBe("inner [2.0/2.0] → leaf · interrupted · step 1 · next ask");
    await page.click(`${leaf} > summary`);
    // The leaf's markup is shown as text: no <img> made from it (the server's CSP would
    // also refuse its inline onerror, so the element count is the check that bites), no handler ran.
    const cell = page.locator(`${leaf} > table pre`, { hasText: HOSTILE });
    expect(await cell.isVisible()).toBe(true);
    expect(await cell.textContent()).toBe(JSON.stringify([HOSTILE], null, 1));
    expect(await page.locator("#tab-runs .state img").count()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, "subgraph-state.png") });
    // Answered, the run finishes: picked again, the thread has no pending child run and no section.
    expect((await s.api("POST", `/api/threads/${encodeURIComponent(t)}/resume`, { answer: "no" })).status).toBeLessThan(300);
    await untilStatus(s, t, "completed");
    await page.click("#tab-runs h3 button[title=refresh]");
    await page.click(`#tab-runs .thread[data-thread="${t}"][data-status=completed]`);
    await page.waitForFunction(() => !document.querySelector("#tab-runs .state details") && /in the middle/.test(document.querySelector("#tab-runs .state > table")?.textContent ?? ""));
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.locator("#tab-runs .state details").count()).toBe(0);
  });

  it("editor language features from the worker: definition, references, rename, outline, semantic colours", async () => {
    await openFile(page, "research_review.rag");
    const original = await page.evaluate(() => window.studio!.editor.getModel()!.getValue());
    // `join review` (line 14): go to definition lands on `node review {` (line 16).
    const at = async (line: number, word: string) =>
      page.evaluate(
        ([l, w]) => {
          const ed = window.studio!.editor;
          ed.setPosition({ lineNumber: l, column: ed.getModel()!.getLineContent(l).indexOf(w) + 2 });
          ed.focus();
        },
        [line, word] as const,
      );
    await at(14, "review");
    await page.keyboard.press("F12");
    await page.waitForFunction(() => window.studio!.editor.getSelection()!.startLineNumber === 16, undefined, { timeout: 10_000 });
    // Find references: the peek view lists the declaration and the use.
    await at(14, "review");
    await page.evaluate(() => window.studio!.editor.trigger("test", "editor.action.referenceSearch.trigger", {}));
    await page.waitForFunction(() => /References \(2\)/.test(document.querySelector(".peekview-widget")?.textContent ?? ""), undefined, { timeout: 10_000 });
    await page.keyboard.press("Escape");
    // Semantic tokens: the node name in `join review` gets the node colour (a Monarch identifier would not).
    await page.waitForFunction(() => {
      const spans = Array.from(document.querySelectorAll(".view-line span span") as ArrayLike<unknown>) as { textContent: string | null }[];
      return spans.some((x) => x.textContent === "review" && getComputedStyle(x).color === "rgb(130, 80, 223)");
    }, undefined, { timeout: 10_000 });
    // Outline (Ctrl+Shift+O): the graph's nodes.
    await page.evaluate(() => window.studio!.editor.getAction("editor.action.quickOutline")!.run());
    await page.waitForFunction(() => Array.from(document.querySelectorAll(".quick-input-widget .monaco-list-row")).some((r) => /^\s*supervisor/.test(r.textContent ?? "")), undefined, { timeout: 10_000 });
    await page.keyboard.press("Escape");
    // Rename (F2) the node: its declaration and every reference change.
    await at(16, "review");
    await page.keyboard.press("F2");
    await page.waitForSelector(".rename-box .rename-input:focus", { timeout: 10_000 });
    // The new name set at once (typed key by key, each key is a round trip to the page).
    await page.fill(".rename-box .rename-input", "examine");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => {
      const v = window.studio!.editor.getModel()!.getValue();
      return v.includes("join examine") && v.includes("node examine {") && !/\breview\b/.test(v.replace(/research_review|final_reviewer/g, ""));
    }, undefined, { timeout: 10_000 });
    await page.waitForSelector('#graph g.node[data-node="examine"]');
    await page.screenshot({ path: join(SHOTS, "language.png") });
    await page.evaluate((v) => window.studio!.editor.getModel()!.setValue(v), original);
  });

  it("works from the language worker alone: diagnostics, completion, formatting and the graph with the server's source endpoints blocked", async () => {
    const blocked: string[] = [];
    const source = /\/api\/(check|graph|format|compile)(\?|$)/;
    await page.route(source, (r) => {
      blocked.push(r.request().url());
      return r.abort();
    });
    try {
      await page.goto(s.server.url.replace("/?", "/?file=research_review.rag&"));
      await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
      await page.waitForSelector('#graph g.node[data-node="supervisor"]');
      // At load the boot script asks /api/graph once for the first paint (blocked here, so
      // the worker painted); after that nothing about the buffer goes to the server.
      expect(blocked.filter((u) => !/\/api\/graph$/.test(u))).toEqual([]);
      expect(blocked.length).toBeLessThanOrEqual(1);
      blocked.length = 0;
      // A name checked against the config's registry (the worker's snapshot from GET /api/registry).
      await page.evaluate(() => {
        const m = window.studio!.editor.getModel()!;
        m.setValue(m.getValue().replace('"read_repo"]', '"read_repoo"]'));
      });
      await page.waitForFunction(() => window.studio!.monaco.editor.getModelMarkers({}).some((m) => m.severity === 8 && m.code === "E-rag-unknown-tool"));
      await page.waitForSelector("#tab-problems .problem.error[data-code=E-rag-unknown-tool]");
      await page.evaluate(() => {
        const m = window.studio!.editor.getModel()!;
        m.setValue(m.getValue().replace('"read_repoo"]', '"read_repo"]').replace("join review", "join reveiw"));
      });
      // The quick fix comes from the worker's code actions (Monaco's lightbulb menu, Ctrl+.).
      await page.waitForFunction(() => window.studio!.monaco.editor.getModelMarkers({}).some((m) => m.severity === 8 && m.code === "E-rag-unknown-node"));
      await page.evaluate(() => {
        const ed = window.studio!.editor;
        const mk = window.studio!.monaco.editor.getModelMarkers({}).find((m) => m.severity === 8)!;
        ed.setPosition({ lineNumber: mk.startLineNumber, column: mk.startColumn + 1 });
        ed.focus();
      });
      await acceptQuickFix(page);
      await page.waitForFunction(() => window.studio!.editor.getModel()!.getValue().includes("join review\n"));
      await page.waitForFunction(() => window.studio!.monaco.editor.getModelMarkers({}).every((m) => m.severity !== 8));
      // Completion after `next `: the graph's node names.
      await page.evaluate(() => {
        const ed = window.studio!.editor;
        // Just after `next ` on the last node's `next END` line.
        const lines = ed.getModel()!.getValue().split("\n");
        const line = lines.findLastIndex((l: string) => /^\s*next END/.test(l));
        ed.setPosition({ lineNumber: line + 1, column: lines[line]!.indexOf("next ") + 6 });
        ed.focus();
        ed.trigger("test", "editor.action.triggerSuggest", {});
      });
      await page.waitForFunction(() => (document.querySelector(".suggest-widget")?.textContent ?? "").includes("supervisor"), undefined, { timeout: 10_000 });
      await page.keyboard.press("Escape");
      // Formatting (the example is canonical, so a format changes nothing and keeps it so).
      await page.click("#format");
      await page.waitForFunction(() => window.studio!.editor.getModel()!.getValue().includes("\n  start supervisor\n"));
      expect(blocked).toEqual([]);
    } finally {
      await page.unroute(source);
    }
  }, 60_000);

  it("a .ragsh script shows nothing of the .rag file open before it, and its Runs and Review tabs point to the REPL", async () => {
    await openFile(page, "map_reduce.rag");
    await tab(page, "problems");
    const original = await page.evaluate(() => window.studio!.editor.getModel()!.getValue());
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace("join reduce", "join reduse"));
    });
    await page.waitForSelector("#tab-problems .problem.error");
    // (openFile waits for a drawing: a script has none, nor does a buffer that never compiled since it was shown)
    const openUndrawn = async (path: string) => {
      await page.evaluate(() => (window.studio!.opened = undefined));
      await page.click(`#files .file[data-path="${path}"]`);
      await page.waitForFunction((p) => window.studio!.opened === p, path);
    };
    await openUndrawn("flows/notes.ragsh");
    expect(await page.locator("#tab-problems .problem").count()).toBe(0);
    expect(await page.locator("#problem-count").textContent()).toBe("");
    expect(await page.locator("#status").textContent()).toBe("");
    expect(await page.locator("#graph-select").isHidden()).toBe(true);
    expect(await page.locator("#format").isDisabled()).toBe(true);
    await tab(page, "runs");
    expect(await page.locator("[data-testid=run]").count()).toBe(0);
    expect(await page.locator("[data-testid=run-script]").textContent()).toContain(":load flows/notes.ragsh");
    await tab(page, "review");
    await page.waitForSelector("[data-testid=review-script]");
    await tab(page, "problems");
    await openUndrawn("map_reduce.rag");
    expect(await page.locator("#graph-select").isHidden()).toBe(false);
    await page.evaluate((v) => window.studio!.editor.getModel()!.setValue(v), original);
    await page.waitForFunction(() => window.studio!.monaco.editor.getModelMarkers({}).every((m) => m.severity !== 8));
    await page.waitForSelector("#graph svg");
  });
});
