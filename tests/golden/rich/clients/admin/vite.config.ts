/**
 * Vite: the app is served under `/admin/` (the backend serves `dist/`
 * there in production, same origin as the API). In development Vite's
 * server proxies the API to `API_URL` (default: the backend's
 * `make run` on port 8000), so the session cookies stay same-origin.
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

import { API_BASE } from "./src/model";

const apiUrl = process.env.API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/admin/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
  server: {
    proxy: { [API_BASE]: { target: apiUrl, changeOrigin: false } },
  },
});
