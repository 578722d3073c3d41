// Tests run inside workerd (@cloudflare/vitest-pool-workers). The fake
// TaxJar runs in Node, started by test/global-setup.mjs on 127.0.0.1; its
// URL reaches the Worker as the TAXJAR_API_URL binding through inject().
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TAXJAR_API_URL: inject("fakeUrl"),
          TAXJAR_API_TOKEN: "test-token",
          PROXY_KEYS: "pk_test_1, pk_test_2",
          ALLOWED_ORIGINS: "https://shop.example,https://other.example",
          STORE_URL: "https://shop.example",
          UPSTREAM_TIMEOUT_MS: "300",
          RATE_LIMIT: "1000",
          CUSTOMER_CONTEXT_SECRET: "ctx-secret-for-workerd-tests-0123456789",
          // The merchant console (test/console.test.js); on in every file.
          CONSOLE_KEY: "console-passphrase-for-tests",
          CONSOLE_SECRET: "console-secret-for-workerd-tests-0123456789",
        },
        // A Rate Limiting binding for the test that swaps it in as RATE_LIMITER.
        ratelimits: { TEST_LIMITER: { simple: { limit: 2, period: 60 } } },
      },
    })),
  ],
  // The wasm comes from ../pkg through a file: dependency (a symlink).
  resolve: { preserveSymlinks: true },
  test: {
    globalSetup: ["./test/global-setup.mjs"],
    setupFiles: ["./test/setup.js"],
    // One fake upstream, shared: test files must not interleave.
    fileParallelism: false,
    include: ["test/**/*.test.js"],
  },
});
