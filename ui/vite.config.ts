import { defineConfig } from "vitest/config";

// The app is served from the Tauri asset protocol: relative paths, no inline scripts
// (the CSP has no 'unsafe-inline' for scripts and no 'unsafe-eval').
export default defineConfig({
  base: "./",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, sourcemap: false },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
