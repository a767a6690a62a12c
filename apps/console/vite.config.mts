import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Built into dist/console and served by the API under /console (apps/api/src/console).
// JSX goes through Vite's own Oxc transform: @vitejs/plugin-react adds React Refresh for a dev
// server, which the console does not use, and its optional Babel peer chain conflicts with
// jest's Babel 7 under npm's peer resolution (docs/console.md).
export default defineConfig({
  root: here('.'),
  base: '/console/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: { alias: { '@agentq/client': here('../../libs/client/src/index.ts') } },
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    assetsDir: 'assets',
    reportCompressedSize: false,
    // The Plans graph's layout library loads with that page only.
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
