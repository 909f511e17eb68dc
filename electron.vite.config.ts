// electron-vite builds three things into out/:
//   out/main/app.js, out/main/engine-worker.js   the main process, and the engine worker utilityProcess forks
//   out/main/engine-inference.js                 the worker process's model thread (main/engine/model/worker-thread.ts)
//   out/preload/preload.cjs                      the sandboxed preload: CommonJS, its imports bundled in
//   out/renderer/                                the Svelte UI, with the CSP as a <meta> tag too
// `npm run build` needs no Electron binary; the web host serves out/renderer as it is.
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { metaContentSecurityPolicy } from './main/page/csp';

const cspMeta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="[^"]*"\s*\/?>/i;

/**
 * The built index.html carries main/page/csp.ts's policy as its <meta> CSP (replacing the one written in
 * renderer/index.html, so there is one definition); Electron's protocol and the web host also send it as a header.
 */
function cspMetaTag(): Plugin {
  const tag = `<meta http-equiv="Content-Security-Policy" content="${metaContentSecurityPolicy}" />`;
  return {
    name: 'holefill:csp-meta',
    apply: 'build',
    transformIndexHtml: (html) => (cspMeta.test(html) ? html.replace(cspMeta, tag) : html.replace(/<head>/i, `<head>\n    ${tag}`)),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          app: resolve('main/electron/app.ts'),
          'engine-worker': resolve('main/engine/worker-process/entry.ts'),
          'engine-inference': resolve('main/engine/model/worker-thread-entry.ts'),
        },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false, // a sandboxed preload cannot require node_modules: bundle the contract and zod
      rolldownOptions: {
        input: { preload: resolve('main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    plugins: [svelte(), cspMetaTag()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      rolldownOptions: { input: resolve('renderer/index.html') },
    },
  },
});
