// The one build script. Targets: the extension (vscode external), the language server, the CLI
// (all Node, CommonJS) and the webview bundles (browser, ESM). `--production` minifies,
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// encoding-sniffer (the HTML charset prescan) reaches iconv-lite through whatwg-encoding, but
// only their stream and decode helpers use it, and Gleaner decodes with the platform's
// TextDecoder instead (engine/http/charset.ts). Left in, iconv-lite's tables would be half a
// megabyte of each Node bundle; stubbed, a stray call fails loudly instead of decoding wrongly.
const stubIconv = {
  name: 'stub-iconv-lite',
  setup(build) {
    build.onResolve({ filter: /^iconv-lite$/ }, () => ({ path: 'iconv-lite', namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "const fail = () => { throw new Error('iconv-lite is not bundled: decode with TextDecoder'); };\nmodule.exports = { decode: fail, encode: fail, getDecoder: fail, getEncoder: fail, encodingExists: () => false };",
      loader: 'js',
    }));
  },
};

// The HTTP client (undici, half a megabyte) is its own bundle, shared by the server and the CLI
// instead of being copied into both; each loads it from beside itself at run time.
const sharedHttpClient = {
  name: 'shared-http-client',
  setup(build) {
    build.onResolve({ filter: /\/http\/undici-client$/ }, () => ({ path: './undici-client.js', external: true }));
  },
};

const node = {
  plugins: [stubIconv],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const webviewEntries = existsSync('media/src')
  ? readdirSync('media/src').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('-types')).map((f) => `media/src/${f}`)
  : [];

/** The language server and the shared HTTP client it loads; tests build just these two. */
// The HTTP client comes first so that a server bundle never lands without it.
export const serverTargets = [
  { ...node, entryPoints: ['language-server/src/engine/http/undici-client.ts'], outfile: 'dist/undici-client.js' },
  { ...node, plugins: [stubIconv, sharedHttpClient], entryPoints: ['language-server/src/server/main.ts'], outfile: 'dist/server.js' },
];

const targets = [
  { ...node, entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  ...serverTargets,
  { ...node, plugins: [stubIconv, sharedHttpClient], entryPoints: ['language-server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
].filter((t) => existsSync(t.entryPoints[0]));

if (webviewEntries.length > 0) {
  targets.push({
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
  });
}

// Node runs a symlinked script from its real path (scripts/package.mjs stages one), so compare real paths.
const runAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;

if (!runAsScript) {
  // Imported for its targets (test/support/lsp-client.ts): build nothing here.
} else if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
