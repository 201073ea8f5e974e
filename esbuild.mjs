// The one build script. Targets: the extension (vscode external), the language server, the CLI
// (all Node, CommonJS) and the webview bundles (browser, ESM). `--production` minifies,
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
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

const targets = [
  { ...node, entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['language-server/src/server/main.ts'], outfile: 'dist/server.js' },
  { ...node, entryPoints: ['language-server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
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

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
