import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// base "./" makes the built site work from any path prefix (a course server, GitHub Pages).
export default defineConfig({
  base: "./",
  plugins: [react(), tailwindcss()],
  worker: { format: "es" },
  // No source maps in the production build: 1.9 MB that only a debugger reads, publishing the
  // sources a second time; the dev server (npm run dev) maps everything for debugging.
  build: { target: "es2022", sourcemap: false },
  server: { port: 5173 },
  // Modules the Web Worker imports only on demand (Calico's plugin, with sha1) are found by the dev
  // server late; optimizing a dependency then reloads the page, losing the scenario just picked.
  // Listed here, they are optimized at start.
  optimizeDeps: { include: ["@noble/hashes/legacy.js", "@noble/hashes/sha2.js"] },
  preview: { port: 4173, strictPort: true },
});
