import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The built bundle is committed and embedded in the `tandem` binary, so the
// output must be the same on every machine: no timestamps, stable names.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: {
      "/graphql": { target: "http://127.0.0.1:8080", ws: true },
      "/app": "http://127.0.0.1:8080",
      "/export": "http://127.0.0.1:8080",
      "/import": "http://127.0.0.1:8080",
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
