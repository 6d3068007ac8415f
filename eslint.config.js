import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "test-results", "playwright-report", "e2e-artifacts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{js,mjs}"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["src/**/*.tsx", "src/view/**/*.ts", "src/store/**/*.ts"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The URL codec is below the store: it reads and writes links, knowing nothing of the store,
    // the page, the worker or the browser binding (src/share/browser.ts, above the store).
    files: ["src/share/codec.ts", "src/share/compact.ts", "src/share/lz-bounded.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/store/**", "**/view/**", "**/worker/**", "./browser"], message: "The URL codec is below the store: it must not import app code." },
            { group: ["react", "react-*", "react/*", "zustand", "zustand/*"], message: "The URL codec is below the store: no React, no zustand." },
          ],
        },
      ],
    },
  },
  {
    // The store is below the browser binding and the view, and runs in Node for its tests.
    files: ["src/store/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/share/browser", "**/view/**", "react", "react-dom", "react-dom/*"], message: "The store is below the browser binding and the view: it must not import them." }] },
      ],
      "no-restricted-globals": [
        "error",
        { name: "window", message: "The store runs in Node for its tests: the browser binding (src/share/browser.ts) handles the page." },
        { name: "document", message: "The store runs in Node for its tests: the browser binding (src/share/browser.ts) handles the page." },
        { name: "location", message: "The store runs in Node for its tests: the browser binding (src/share/browser.ts) handles the page." },
      ],
    },
  },
  {
    // The engine runs in Node and in the worker alike: no UI, DOM, store or worker code may leak in.
    files: ["src/engine/**/*.ts"],
    ignores: ["src/engine/**/*.test.ts"],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["react", "react-*", "react/*"], message: "src/engine must not import React." },
            { group: ["zustand", "zustand/*"], message: "src/engine must not import the store." },
            { group: ["d3", "d3-*"], message: "src/engine must not import D3." },
            { group: ["**/worker/**", "**/view/**", "**/store/**", "**/share/**"], message: "src/engine must not import app code." },
            { group: ["node:*", "fs", "path", "os", "child_process"], message: "src/engine must run in the browser too: no Node built-ins." },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "window", message: "No DOM in src/engine." },
        { name: "document", message: "No DOM in src/engine." },
        { name: "self", message: "No worker globals in src/engine." },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Randomness is a parameter: use the seeded generator." },
        { object: "Date", property: "now", message: "Time is a parameter in the engine." },
      ],
    },
  },
);
