/**
 * The studio's Runs tab in a real browser: Debian's chromium driven by playwright-core
 * (never a browser download), each test against a studio of its own (e2e-page.ts
 * `studioPage`): runs and their timelines, interrupts and tool approvals, the run form,
 * the thread list of the graph open, a picked thread's timeline, checkpoints, fork,
 * re-run and state edits, each task's duration and model calls from its record, and a
 * thread a run of another process executes, followed as it goes.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteCheckpointer } from "../../runtime/index.js";
import { standardRegistry } from "../../stdlib/index.js";
import { fakeModel } from "../helpers/fake-model.js";
import { buildGraph, eventsOf } from "../helpers/run-graph.js";
import { HOSTILE, SLOW } from "./fixtures.js";
import { CHROMIUM, openFile, SHOTS, studioPage, tab, untilInterrupted, untilStatus, useStudioBrowser, type PageStudio } from "./e2e-page.js";

declare const window: { studio?: PageStudio; __xss?: unknown };
declare const document: { querySelector(s: string): { textContent: string | null; scrollTo(x: number, y: number): void } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };

const env = useStudioBrowser();

// 45 s a test, not the suite's 20 s: these files start first in a full run (vitest.config.ts
// SLOW_FIRST), beside the package build and the crash tests, and a 2-core CI machine
// then draws a page several times slower than a quiet one (every wait is on a condition).
describe.skipIf(!existsSync(CHROMIUM))("studio in chromium: runs and threads", { timeout: 45_000 }, () => {
  it("runs research_review: 3 supersteps, one fan-out, the join once", async () => {
    const { page } = await studioPage(env, "research_review.rag");
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
    // Another file opened: this file's run is not shown for it.
    await openFile(page, "approval.rag");
    expect(await page.locator("#tab-runs .step").count()).toBe(0);
    expect(await page.locator("#tab-runs [data-testid=run-status]").count()).toBe(0);
  });

  it("Cancel stops a running run: the run shows cancelled, its thread stopped, and the server's run has ended where it was", async () => {
    // A run held in superstep 2: node b's model call waits until the test releases it.
    const fake = fakeModel({ content: "hi" });
    const { s, page } = await studioPage(env, "slow.rag", (s) => {
      s.project.registry.registerModel("held", { provider: fake.provider, modelId: "fake-1" });
      writeFileSync(join(s.dir, "slow.rag"), SLOW);
    });
    fake.hold();
    try {
      await tab(page, "runs");
      await page.click("[data-testid=run]");
      await page.waitForSelector("[data-testid=run-status][data-status=running]");
      // The server's run is in node b's model call.
      for (let i = 0; i < 300 && fake.m.calls === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(fake.m.calls).toBe(1);
      const [run] = (await s.api<{ runId: string; threadId: string; status: string }[]>("GET", "/api/runs")).json;
      expect(run!.status).toBe("running");
      await page.click("[data-testid=cancel]:enabled");
      await page.waitForSelector("[data-testid=run-status][data-status=cancelled]");
      expect(await page.locator("[data-testid=cancel]").isDisabled()).toBe(true);
      // The thread is listed as stopped (its last checkpoint kept: node a's write), no longer running.
      const row = `#tab-runs .thread[data-thread="${run!.threadId}"]`;
      await page.waitForSelector(`${row}[data-status=resumable]:not([data-running])`);
      expect(await page.locator(`${row} .badge`).textContent()).toBe("stopped");
      // On the server the run has ended, cancelled, while its model call still waits; node c never ran.
      expect((await s.api<{ status: string; error?: { code?: string } }>("GET", `/api/runs/${run!.runId}`)).json).toMatchObject({ status: "cancelled", error: { code: "cancelled" } });
      const hist = (await s.api<{ step: number; values: Record<string, unknown>; next: { node: string }[] }[]>("GET", `/api/threads/${encodeURIComponent(run!.threadId)}/history`)).json;
      expect(hist[0]).toMatchObject({ step: 1, values: { x: 1, out: null }, next: [{ node: "b" }] });
      // The thread is free again: resumed (the model now answers), node b runs again and the thread completes.
      fake.release();
      expect((await s.api("POST", `/api/threads/${encodeURIComponent(run!.threadId)}/resume`, {})).status).toBeLessThan(300);
      await untilStatus(s, run!.threadId, "completed");
      expect(fake.m.calls).toBe(2);
      expect((await s.api<{ values: Record<string, unknown> }>("GET", `/api/threads/${encodeURIComponent(run!.threadId)}/state`)).json.values).toMatchObject({ x: 2, out: "hi" });
    } finally {
      fake.release();
    }
  }, 60_000);

  it("answers an interrupt in approval.rag, then forks from a checkpoint and re-runs", async () => {
    const { s, page } = await studioPage(env, "research_review.rag");
    await openFile(page, "approval.rag");
    await tab(page, "runs");
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
    // Fork (without re-running) at the paused checkpoint: the answer form is the fork's
    // question, and answering it continues the fork, not the thread shown before.
    const shown = await page.locator("#tab-runs .history [data-thread]").getAttribute("data-thread");
    await page.click('#tab-runs .checkpoint[data-step="1"] button[data-action=fork]');
    await page.waitForFunction((t) => { const d = document.querySelector("#tab-runs .history [data-thread]") as unknown as { dataset: { thread: string } } | null; return d !== null && d.dataset.thread !== t; }, shown);
    const fork = (await page.locator("#tab-runs .history [data-thread]").getAttribute("data-thread"))!;
    // The timeline is the fork's own (the re-run's was on another thread): copied from the
    // thread shown before at step 1, paused at review in superstep 2.
    await page.waitForSelector(`#tab-runs [data-testid=forked-from][data-thread="${shown}"]`);
    expect(await page.locator("#tab-runs .step").count()).toBe(1);
    expect(await page.locator("#tab-runs .step[data-step='2'] .task[data-node=review]").getAttribute("data-status")).toBe("interrupted");
    await page.waitForSelector(`[data-testid=interrupt] .interrupt-box[data-thread="${fork}"] button[data-answer=revise]`);
    expect(await page.locator("[data-testid=run-status]").textContent()).toContain(fork);
    await page.click('[data-testid=interrupt] button[data-answer=revise]');
    // revise → draft → review again: the fork pauses a second time.
    await page.waitForSelector(`[data-testid=run-status][data-status=interrupted]:has-text("interrupted: approval on thread ${fork}")`, { timeout: 20_000 });
  });

  it("answers a typed interrupt with one field per property; an answer of the wrong type is refused and the thread stays paused", async () => {
    const { s, page } = await studioPage(env, "research_review.rag");
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
    // An answer that does not match the type is refused (400) before anything is saved: the thread still waits on its question.
    const run = await s.api<{ threadId: string }>("POST", "/api/runs", { file: "typed.rag", input: { rounds: 1 } });
    await untilInterrupted(s, run.json.threadId);
    // Picked in the thread list, the paused thread offers its answer form.
    await page.click("#tab-runs h3 button[title=refresh]");
    await page.click(`#tab-runs .thread[data-thread="${run.json.threadId}"]`);
    await page.waitForSelector("[data-testid=interrupt] [data-testid=answer-fields] [data-field=score]");
    const refused = await s.api<{ error: { code: string; message: string } }>("POST", `/api/threads/${encodeURIComponent(run.json.threadId)}/resume`, { answer: { score: "high" } });
    expect(refused).toMatchObject({ status: 400, json: { error: { code: "invalid_resume", message: expect.stringContaining("field `score`") } } });
    await page.click("#tab-runs h3 button[title=refresh]");
    await page.waitForSelector(`#tab-runs .thread[data-thread="${run.json.threadId}"] [data-testid=thread-question]`, { timeout: 10_000 });
    expect(await page.locator(`#tab-runs .thread[data-thread="${run.json.threadId}"] .badge`).textContent()).toBe("paused");
  });

  it("approves a tool call with edited arguments, checked against the tool's schema first", async () => {
    const { page } = await studioPage(env, "research_review.rag");
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
    const { s, page } = await studioPage(env, "research_review.rag");
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
    const { s, page } = await studioPage(env, "research_review.rag");
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

  it("lists the threads of the graph open, every graph's on request, each with its status: paused with its question, failed with its error", async () => {
    const { s, page } = await studioPage(env, "approval.rag");
    // Threads run without this page: one paused, one completed, one failed.
    const paused = (await s.api<{ threadId: string }>("POST", "/api/runs", { file: "approval.rag" })).json.threadId;
    const review = (await s.api<{ threadId: string }>("POST", "/api/runs", { file: "research_review.rag" })).json.threadId;
    const failing = (await s.api<{ threadId: string }>("POST", "/api/runs", { file: "failing.rag", input: { v: "high" } })).json.threadId;
    await untilInterrupted(s, paused);
    await untilStatus(s, review, "completed");
    await untilStatus(s, failing, "failed");
    await tab(page, "runs");
    // approval.rag is open: its thread only, paused, with the question it waits on.
    const row = `#tab-runs .thread[data-thread="${paused}"]`;
    await page.waitForSelector(row);
    expect(await page.locator("#tab-runs .thread").count()).toBe(1);
    expect(await page.locator("[data-testid=threads-title]").textContent()).toBe("Threads of approval");
    expect(await page.locator(`${row} .badge`).textContent()).toBe("paused");
    expect(await page.locator(`${row} [data-testid=thread-question]`).textContent()).toMatch(/^review: Publish this announcement\? ragraph runs .* \[approve \/ revise \/ reject\]$/);
    expect(await page.locator(`${row} [data-testid=thread-graph]`).count()).toBe(0);
    // All graphs: every thread, each labelled with its graph and file.
    await page.check("[data-testid=threads-all]");
    await page.waitForSelector(`#tab-runs .thread[data-thread="${review}"]`);
    expect(await page.locator("#tab-runs .thread").count()).toBe(3);
    expect(await page.locator(`#tab-runs .thread[data-thread="${review}"] [data-testid=thread-graph]`).textContent()).toBe(" research_review (research_review.rag)");
    expect(await page.locator(`#tab-runs .thread[data-thread="${failing}"][data-status=failed] [data-testid=thread-error]`).textContent()).toContain("field `n`");
    // Another file opened (all graphs off): its threads.
    await page.uncheck("[data-testid=threads-all]");
    await openFile(page, "failing.rag");
    await page.waitForFunction(() => document.querySelector("[data-testid=threads-title]")?.textContent === "Threads of failing");
    await page.waitForSelector(`#tab-runs .thread[data-thread="${failing}"]`);
    expect(await page.locator("#tab-runs .thread").count()).toBe(1);
    // Picked, the failed thread shows the step that failed and why.
    await page.click(`#tab-runs .thread[data-thread="${failing}"]`);
    await page.waitForSelector("#tab-runs .step[data-step='1'] .task[data-node=check][data-status=failed]");
    expect(await page.locator("#tab-runs .step[data-step='1'] .task[data-node=check] .task-result").textContent()).toMatch(/^failed: .*field `n`/);
    expect(await page.locator("[data-testid=run-status]").getAttribute("data-status")).toBe("failed");
  });

  it("a thread picked in the list shows its timeline from its history, and forks, re-runs and edits it", async () => {
    const { s, page } = await studioPage(env, "approval.rag");
    // A thread run and answered without this page (another tab, `rag run`, an earlier session).
    const t = (await s.api<{ threadId: string }>("POST", "/api/runs", { file: "approval.rag" })).json.threadId;
    await untilInterrupted(s, t);
    await s.api("POST", `/api/threads/${encodeURIComponent(t)}/resume`, { answer: "approve" });
    await untilStatus(s, t, "completed");
    await tab(page, "runs");
    await page.click(`#tab-runs .thread[data-thread="${t}"]`);
    // Its three supersteps, each task with its outcome; the state after the last one.
    await page.waitForSelector("#tab-runs .step[data-step='3'] .task[data-node=publish][data-status=ok]");
    expect(await page.locator("#tab-runs .step").count()).toBe(3);
    expect(await page.locator("#tab-runs .step[data-step='1'] .task[data-node=draft] .task-result").textContent()).toBe("ok · writes draft, log");
    expect(await page.locator("#tab-runs .step[data-step='2'] .task[data-node=review] .task-result").textContent()).toBe("ok · writes decision");
    expect(await page.locator("#tab-runs .state").textContent()).toContain("published");
    expect(await page.locator(`#tab-runs .history [data-thread="${t}"]`).count()).toBe(1);
    expect(await page.locator("#tab-runs .checkpoint").count()).toBe(4);
    // A step clicked: the state after it, what it changed highlighted, its node lit.
    await page.click("#tab-runs .step[data-step='1'] .step-head");
    await page.waitForFunction(() => /^after superstep 1 \(changed: draft, log\)/.test(document.querySelector("#tab-runs .state")?.textContent ?? ""));
    expect(await page.locator("#tab-runs .state tr.changed td:first-child").allTextContents()).toEqual(["draft", "log"]);
    expect(await page.locator("#tab-runs .state").textContent()).not.toContain("published");
    expect(await page.locator("#graph g.node.active").evaluateAll((gs) => gs.map((g) => (g as unknown as { dataset: { node: string } }).dataset.node))).toEqual(["draft"]);
    // updateState on it: the timeline marks the edit, the state shows it.
    await page.fill("[data-testid=state-edit]", '{"draft": "edited by hand"}');
    await page.click("[data-testid=update-state]");
    await page.waitForSelector("#tab-runs [data-testid=state-edit-mark][data-step='4']");
    expect(await page.locator("#tab-runs [data-testid=state-edit-mark]").textContent()).toBe("state edited at step 4 (changed: draft)");
    expect(await page.locator("#tab-runs .state tr.changed").textContent()).toContain("edited by hand");
    expect(await page.locator("#tab-runs .checkpoint").count()).toBe(5);
    // Re-run from the paused checkpoint (step 1): the fork's timeline, its question, another answer.
    await page.click('#tab-runs .checkpoint[data-step="1"] button[data-action=rerun]');
    await page.waitForSelector(`#tab-runs [data-testid=forked-from][data-thread="${t}"]`);
    expect(await page.locator("#tab-runs .step[data-step='2'] .task[data-node=review]").getAttribute("data-status")).toBe("interrupted");
    await page.click("[data-testid=interrupt] button[data-answer=reject]");
    await page.waitForSelector("[data-testid=run-status][data-status=completed]", { timeout: 20_000 });
    const fork = (await page.locator("#tab-runs .history [data-thread]").getAttribute("data-thread"))!;
    expect(fork).not.toBe(t);
    expect(await page.locator("#tab-runs .state").textContent()).toContain('"reject"');
    // Both threads are listed; picking the first shows its timeline again.
    await page.waitForSelector(`#tab-runs .thread[data-thread="${fork}"][data-status=completed]`);
    // (and, for the screenshot, a thread that waits for an answer)
    await untilInterrupted(s, (await s.api<{ threadId: string }>("POST", "/api/runs", { file: "approval.rag" })).json.threadId);
    await page.click("#tab-runs h3 button[title=refresh]");
    await page.waitForSelector("#tab-runs .thread[data-status=interrupted] [data-testid=thread-question]");
    await page.click(`#tab-runs .thread[data-thread="${t}"]`);
    await page.waitForSelector("#tab-runs [data-testid=state-edit-mark][data-step='4']");
    expect(await page.locator("#tab-runs .step").count()).toBe(3);
    await page.click("#tab-runs .step[data-step='2'] .task[data-node=review]");
    await page.evaluate(() => document.querySelector("#tab-runs")!.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, "history.png") });
  }, 60_000);

  it("a picked research_review thread shows its fan-out and the join once", async () => {
    const { s, page } = await studioPage(env, "research_review.rag");
    const t = (await s.api<{ threadId: string }>("POST", "/api/runs", { file: "research_review.rag" })).json.threadId;
    await untilStatus(s, t, "completed");
    await tab(page, "runs");
    await page.click(`#tab-runs .thread[data-thread="${t}"]`);
    await page.waitForSelector("#tab-runs .step[data-step='3'] .task[data-node=review]");
    expect(await page.locator("#tab-runs .step").count()).toBe(3);
    expect(await page.locator("#tab-runs [data-testid=fanout]").allTextContents()).toEqual(["fan-out f1 → research_agent, verifier_agent"]);
    expect(await page.locator("#tab-runs [data-testid=join]").allTextContents()).toEqual(["join → review released"]);
    expect(await page.locator("#tab-runs .step[data-step='2'] .task").evaluateAll((ts) => ts.map((x) => (x as unknown as { dataset: { node: string } }).dataset.node))).toEqual(["research_agent", "verifier_agent"]);
    // Each task with how long it ran and its model calls, from its completion record (the run's events are not read).
    expect(await page.locator("#tab-runs .step[data-step='1'] .task[data-node=supervisor] [data-testid=task-cost]").textContent()).toMatch(/^ · \d+ ms · 2 model calls · \d+\+\d+ tokens · \$[\d.e-]+$/);
    await page.click("#tab-runs .step[data-step='1'] .task[data-node=supervisor]");
    expect(await page.locator("#tab-runs .step[data-step='1'] .task[data-node=supervisor] .task-detail").textContent()).toMatch(/model default: \d+\+\d+ tokens, \$[\d.e-]+, \d+ ms\nmodel default: /);
  });

  it("a thread a run of another process is executing (`rag run` on the same checkpoint file) is followed until it ends", async () => {
    const { s, page } = await studioPage(env, "approval.rag");
    // The other process: its own handle on the studio's checkpoint file, its own registry, a model call held mid-run.
    const registry = standardRegistry();
    const fake = fakeModel({ usage: { inputTokens: 10, outputTokens: 290 } });
    registry.registerModel("default", { provider: fake.provider, modelId: "fake-1" });
    const saver = new SqliteCheckpointer(join(s.dir, ".rag", "checkpoints.db"));
    const slow = `graph slow {
      start a
      state { x: number = 0  out: string }
      node a { kind set set { x: 1 } next b }
      node b { kind model model "default" prompt "Say hi" writes out next END }
    }`;
    const { graph } = buildGraph(slow, { registry, checkpointer: saver });
    fake.hold();
    const run = eventsOf(graph, {}, { threadId: "from-a-terminal", metadata: { origin: { file: join(s.dir, "slow.rag"), graph: "slow", config: null } } });
    try {
      // Held in superstep 2 (node b's model call), its first superstep checkpointed.
      for (let i = 0; i < 300 && !(await s.api<{ threadId: string; step: number; running?: boolean }[]>("GET", "/api/threads")).json.some((t) => t.threadId === "from-a-terminal" && t.step === 1 && t.running); i++) await new Promise((r) => setTimeout(r, 100));
      await tab(page, "runs");
      await page.check("[data-testid=threads-all]");
      await page.click('#tab-runs .thread[data-thread="from-a-terminal"][data-running=true]');
      await page.waitForSelector("[data-testid=run-status][data-status=running]", { timeout: 10_000 });
      expect(await page.locator("#tab-runs .step[data-step='2'] .task[data-node=b]").getAttribute("data-status")).toBe("pending");
      fake.release();
      expect((await run).at(-1)!.type).toBe("run_completed");
      // Drawn again as the run went on, without a click: node b done, with its model call; the run over.
      await page.waitForSelector("#tab-runs .step[data-step='2'] .task[data-node=b][data-status=ok]", { timeout: 10_000 });
      expect(await page.locator("#tab-runs .step[data-step='2'] .task[data-node=b] [data-testid=task-cost]").textContent()).toMatch(/^ · \d+ ms · 1 model call · 10\+290 tokens$/);
      await page.waitForSelector("[data-testid=run-status][data-status=ended]", { timeout: 10_000 });
      await page.waitForSelector('#tab-runs .thread[data-thread="from-a-terminal"][data-status=completed]:not([data-running])', { timeout: 10_000 });
    } finally {
      fake.release();
      await run.catch(() => undefined);
      saver.close();
    }
  }, 30_000);
});
