/**
 * The studio's editor side in a real browser: Debian's chromium driven by playwright-core
 * (never a browser download), each test against a studio of its own (e2e-page.ts
 * `studioPage`): the graph beside the source, the file tree, diagnostics and quick fixes,
 * the Diff tab, review and approval, the REPL, the language worker's features.
 * The Runs tab's tests are e2e-runs.test.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { acceptQuickFix, CHROMIUM, openFile, quickFixFirstError, SHOTS, studioPage, tab, useStudioBrowser, type PageStudio } from "./e2e-page.js";

declare const window: { studio?: PageStudio; keptSvg?: unknown; __xss?: unknown };
declare const document: { getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): { textContent: string | null; getAttribute(name: string): string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
declare function getComputedStyle(e: unknown): { color: string; stroke: string; strokeWidth: string };

const env = useStudioBrowser();

/**
 * Marks the drawn SVG (`window.keptSvg`, to tell later whether the page kept it), replaces
 * the first `from` in the editor's text with `to`, and waits until the worker has answered
 * that version of the text.
 */
async function editMarkingSvg(page: Page, from: string, to: string): Promise<void> {
  const version = await page.evaluate(([a, b]) => {
    window.keptSvg = document.querySelector("#graph svg");
    const m = window.studio!.editor.getModel()! as unknown as { getValue(): string; setValue(v: string): void; getVersionId(): number };
    m.setValue(m.getValue().replace(a, b));
    return m.getVersionId();
  }, [from, to] as const);
  await page.waitForFunction((v) => (window.studio!.lastUpdate?.version ?? 0) >= v, version);
}

// 45 s a test, not the suite's 20 s: these files start first in a full run (vitest.config.ts
// SLOW_FIRST), beside the package build and the crash tests, and a 2-core CI machine
// then draws a page several times slower than a quiet one (every wait is on a condition).
describe.skipIf(!existsSync(CHROMIUM))("studio in chromium: the editor", { timeout: 45_000 }, () => {
  it("draws the graph beside the source, with sends and joins drawn apart", async () => {
    const { page } = await studioPage(env, "research_review.rag");
    await page.waitForSelector('#graph g.node[data-node="supervisor"]');
    expect(await page.locator("#graph g.edge[data-edge-kind=send]").count()).toBeGreaterThan(0);
    expect(await page.locator("#graph g.edge[data-edge-kind=join]").count()).toBeGreaterThan(0);
    await page.click('#graph g.node[data-node="review"]');
    const line = await page.evaluate(() => window.studio!.editor.getSelection()!.startLineNumber);
    expect(line).toBe(16);
    await page.screenshot({ path: join(SHOTS, "editor-graph.png") });
  });

  it("the cursor moved in the source selects the node it is in on the graph, and none outside every node", async () => {
    const { page } = await studioPage(env, "research_review.rag");
    // Until the graph's selected nodes are `ids` (a redraw may drop and restore the selection in between).
    const untilSelected = (ids: string[]) => page.waitForFunction((want) => Array.from(document.querySelectorAll("#graph g.node.selected"), (g) => (g as unknown as { dataset: { node: string } }).dataset.node).join() === want.join(), ids);
    await page.waitForSelector('#graph g.node[data-node="review"]');
    await untilSelected([]);
    // A click in node review's source (line 18, `agent "final_reviewer"`): review is selected, drawn with a thick blue outline.
    await page.locator(".monaco-editor .view-line", { hasText: '"final_reviewer"' }).click();
    await untilSelected(["review"]);
    expect(await page.locator('#graph g.node.selected[data-node="review"] rect').first().evaluate((r) => ((s) => [s.stroke, s.strokeWidth])(getComputedStyle(r)))).toEqual(["rgb(9, 105, 218)", "3px"]);
    // Six lines up with the arrow keys (line 12, in supervisor's `send`): supervisor instead.
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowUp");
    await untilSelected(["supervisor"]);
    // To the top (`graph research_review {`, outside every node): nothing selected.
    await page.keyboard.press("Control+Home");
    await untilSelected([]);
    expect(await page.evaluate(() => window.studio!.editor.getSelection()!.startLineNumber)).toBe(1);
  }, 60_000);

  it("lists the workspace as a folder tree that folds, and opens and saves a nested file", async () => {
    const { s, page } = await studioPage(env, "research_review.rag");
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
    const { page } = await studioPage(env, "research_review.rag");
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
    await quickFixFirstError(page);
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

  it("a typo typed key by key gets an error marker, and its quick fix repairs it", async () => {
    const { page } = await studioPage(env, "approval.rag");
    await page.waitForSelector('#graph g.node[data-node="review"]');
    // The cursor after `writes decision` (line 25), by a click on that line and End.
    await page.locator(".monaco-editor .view-line", { hasText: "decision" }).filter({ hasText: "writes" }).click();
    await page.keyboard.press("End");
    expect(await page.evaluate(() => window.studio!.editor.getSelection()!.startLineNumber)).toBe(25);
    // Real keystrokes: "decision" erased and "decisoin" typed.
    for (let i = 0; i < "decision".length; i++) await page.keyboard.press("Backspace");
    await page.keyboard.type("decisoin");
    await page.waitForFunction(() => window.studio!.monaco.editor.getModelMarkers({}).some((m) => m.severity === 8 && m.startLineNumber === 25));
    expect(await page.evaluate(() => window.studio!.editor.getModel()!.getLineContent(25))).toBe("    writes decisoin");
    await page.waitForSelector("#tab-problems .problem.error .fix");
    // Escape closes the completion list typing may have opened (and cancels one still on its
    // way); the cursor goes back into the word, and Ctrl+. applies its first fix.
    await page.keyboard.press("Escape");
    await page.waitForSelector(".monaco-editor .suggest-widget.visible", { state: "detached" });
    await page.keyboard.press("ArrowLeft");
    await acceptQuickFix(page);
    await page.waitForFunction(() => window.studio!.editor.getModel()!.getLineContent(25) === "    writes decision" && window.studio!.monaco.editor.getModelMarkers({}).every((m) => m.severity !== 8));
    await page.waitForSelector("#graph:not(.stale) svg");
    expect(await page.locator("#tab-problems .problem.error").count()).toBe(0);
  }, 60_000);

  it("the graph updates after an edit", async () => {
    const { page } = await studioPage(env, "approval.rag");
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
    await editMarkingSvg(page, "kind set", "kind set   ");
    expect(await page.evaluate(() => ({ same: window.studio!.analysis!.sameView, view: window.studio!.analysis!.view?.id, svgKept: document.querySelector("#graph svg") === window.keptSvg }))).toEqual({ same: "approval", view: "approval", svgKept: true });
    // A value edited: the blueprint's hash changes, its drawing does not. The worker sends
    // the new hash instead of the view, and the page keeps its SVG, the new hash on it.
    const before = await page.evaluate(() => document.querySelector("#graph svg")!.getAttribute("data-hash"));
    await editMarkingSvg(page, 'log: "published"', 'log: "published!"');
    const after = await page.evaluate(() => {
      const a = window.studio!.analysis!;
      return { same: a.sameView, sentHash: a.viewHash, hash: a.view?.hash, drawn: document.querySelector("#graph svg")!.getAttribute("data-hash"), svgKept: document.querySelector("#graph svg") === window.keptSvg };
    });
    expect(after).toEqual({ same: "approval", sentHash: after.hash, hash: after.drawn, drawn: expect.stringMatching(/^sha256:/), svgKept: true });
    expect(after.hash).not.toBe(before);
    await page.evaluate(() => {
      const m = window.studio!.editor.getModel()!;
      m.setValue(m.getValue().replace("kind set   ", "kind set").replace('log: "published!"', 'log: "published"'));
    });
  });

  it("approves the blueprint and shows its hash", async () => {
    const { s, page } = await studioPage(env, "approval.rag");
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
    // The review reads the file on disk: open it once the save has landed (on a loaded
    // machine the save's request may still be under way when the tab is clicked).
    await page.waitForFunction(() => document.getElementById("status")!.textContent === "saved approval.rag");
    await tab(page, "problems");
    await tab(page, "review");
    await page.waitForSelector("[data-testid=semantic-diff]:has-text('+ node extra (set)')");
    await page.waitForSelector("[data-testid=approved-diff][data-changes='1'] .monaco-diff-editor .line-insert", { timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, "review.png") });
  });

  it("runs .ragsh cells in the console", async () => {
    const { page } = await studioPage(env, "research_review.rag");
    await tab(page, "repl");
    await page.fill("[data-testid=repl-input]", "let n = 6 * 7\nprint(n)");
    await page.click("[data-testid=repl-run]");
    await page.waitForSelector("#tab-repl .repl-out:has-text('42')");
    await page.screenshot({ path: join(SHOTS, "repl.png") });
  });

  it("editor language features from the worker: definition, references, rename, outline, semantic colours", async () => {
    const { page } = await studioPage(env, "research_review.rag");
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
    const { s, page } = await studioPage(env, "research_review.rag");
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
      await quickFixFirstError(page);
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
    const { page } = await studioPage(env, "research_review.rag");
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
