import { defineConfig } from "@playwright/test";
import { findChromium } from "./e2e/chromium";

/** The built site, served the way users host it. Both ports can be moved (HOPSCOPE_E2E_BUILD_PORT, HOPSCOPE_E2E_DEV_PORT) to run two checkouts' suites side by side. */
const BUILD_PORT = Number(process.env.HOPSCOPE_E2E_BUILD_PORT ?? 4173);
/** `vite` itself, as `npm run dev` runs it (on a port of its own, so a running `npm run dev` does not clash). */
const DEV_PORT = Number(process.env.HOPSCOPE_E2E_DEV_PORT ?? 5174);

/** Specs that also run against the dev server: what a newcomer meets first runs under `npm run dev`. */
const ALSO_DEV = /(dev|first-run|modern|cni)\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 30_000,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: findChromium(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "build", testIgnore: /dev\.spec\.ts$/, use: { baseURL: `http://127.0.0.1:${BUILD_PORT}` } },
    // The dev server compiles modules on first request: the first page of a spec takes longer.
    { name: "dev", testMatch: ALSO_DEV, timeout: 60_000, use: { baseURL: `http://127.0.0.1:${DEV_PORT}` } },
  ],
  webServer: [
    {
      // `npm run test:e2e` builds first; this serves the built site the way users host it.
      command: `npx vite preview --port ${BUILD_PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${BUILD_PORT}`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `npx vite --port ${DEV_PORT} --strictPort --host 127.0.0.1`,
      url: `http://127.0.0.1:${DEV_PORT}`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
