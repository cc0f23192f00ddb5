import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built into the Python package, so the stack serves it on a laptop and Chalice packages it for AWS
// (chalicelib/api/webapp.py serves "/", "/reference" and "/assets/*").
export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: on AWS the app may live under a stage path (https://<api>.execute-api.../dev/).
  base: "./",
  build: {
    outDir: resolve(__dirname, "../chalicelib/static/webapp"),
    emptyOutDir: true,
    assetsDir: "assets",
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: { index: resolve(__dirname, "index.html"), reference: resolve(__dirname, "reference.html") },
    },
  },
  server: { proxy: { "/v2": "http://127.0.0.1:8000", "/oauth": "http://127.0.0.1:8000", "/app-config.json": "http://127.0.0.1:8000" } },
});
