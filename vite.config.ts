import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// base "./" makes the built site work from any path prefix (a course server, GitHub Pages).
export default defineConfig({
  base: "./",
  plugins: [react(), tailwindcss()],
  worker: { format: "es" },
  build: { target: "es2022", sourcemap: true },
  server: { port: 5173 },
  preview: { port: 4173, strictPort: true },
});
