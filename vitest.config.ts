import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// "ragraph-source": `import "ragraph"` inside this checkout (examples/rag.config.ts) means
// the TypeScript sources, not dist/ (package.json "exports"; bin/rag.js does the same).
// The rest are Node's own, not Vite's default "module": under "module" @opentelemetry/api
// resolves to its build/esm, whose extensionless imports Node's loader cannot resolve.
const conditions = ["ragraph-source", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts"],
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
