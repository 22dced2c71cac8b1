/**
 * Vitest global setup (vitest.config.ts `globalSetup`), run once before any test file:
 * brings the checkout's dist/bundle/ up to date (bin/dev-build.js), so the suite's first
 * parallel `rag` processes start from a current bundle instead of all finding it stale on a
 * fresh clone (or after an edit) and waiting for one build inside their tests' time.
 * Best effort: when the bundle cannot be built, `rag` falls back to the sources as usual.
 */
export default async function setup(): Promise<void> {
  const script = "../../bin/dev-build.js"; // plain JavaScript, no declarations
  const { freshBundle } = (await import(script)) as { freshBundle: (root: URL) => Promise<boolean> };
  await freshBundle(new URL("../../", import.meta.url));
}
