import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// "ragraph-source": `import "ragraph"` inside this checkout (examples/rag.config.ts) means
// the TypeScript sources, not dist/ (package.json "exports"; bin/rag.js does the same).
// The rest are Node's own, not Vite's default "module": under "module" @opentelemetry/api
// resolves to its build/esm, whose extensionless imports Node's loader cannot resolve.
const conditions = ["ragraph-source", "node", "development|production"];

/**
 * The slowest files (seconds each: a package build and install, killed worker processes, a
 * browser, thousands of parses), started first so that they do not begin last and run on
 * alone at the end. Vitest orders by the last run's durations when it has them, and a fresh
 * clone (CI) has none: it would order by file size, which puts e.g. the short
 * distribute-crash file near the end.
 */
const SLOW_FIRST = ["test/package/pack.test.ts", "test/scale/distribute-crash.test.ts", "test/studio/e2e.test.ts", "test/studio/e2e-runs.test.ts", "test/grammar/fast-parse.test.ts", "test/scale/workers-cli.test.ts", "test/package/checkout-bundle.test.ts"];

/** Vitest's own order, with `SLOW_FIRST` moved to the front. */
class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(`/${s}`));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/bundle/ once before the workers start `rag` processes (bin/dev-build.js).
    globalSetup: ["test/helpers/global-setup.ts"],
    // After each file, the temp folders its helpers made are removed (test/helpers/setup.ts).
    setupFiles: ["test/helpers/setup.ts"],
    sequence: { sequencer: SlowFirst },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Forked workers, not threads: test/helpers/cli.ts `ragIn` changes directory
    // (process.chdir), which worker threads may not.
    pool: "forks",
    // A worker keeps its module cache from one test file to the next: most files import
    // the compiler, runtime and CLI (hundreds of modules), and importing them afresh per
    // file was a quarter of the suite's time. Safe because no test mocks modules
    // (no vi.mock), and tests that change process-wide state restore it (ragIn restores
    // the directory, environment and exit code; tests that set process.env delete it).
    isolate: false,
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core CI
    // machine, where most of the suite waits on processes, sockets and databases.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
