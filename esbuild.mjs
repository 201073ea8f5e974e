// The one build script. Targets: the extension (vscode external), the language server, the CLI
// (all Node, CommonJS) and the webview bundles (browser, ESM). `--production` minifies,
// `--watch` rebuilds on change.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));

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

// The yaml package reads `process.env.LOG_TOKENS` once per token (and LOG_STREAM per
// document) to decide whether to print debug output. A read of process.env is a call into
// Node, and on a 20,000-line spec those reads were a third of the parse. Gleaner never sets
// them, so the bundles read `false` instead; if a yaml release renames them the build says so.
const YAML_DEBUG_SWITCHES = { 'dist/parse/parser.js': 'node_process.env.LOG_TOKENS', 'dist/compose/composer.js': 'node_process.env.LOG_STREAM' };
const yamlWithoutDebugSwitches = {
  name: 'yaml-without-debug-switches',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]yaml[\\/]dist[\\/](parse[\\/]parser|compose[\\/]composer)\.js$/ }, async (args) => {
      const file = args.path.replace(/\\/g, '/');
      const [suffix, read] = Object.entries(YAML_DEBUG_SWITCHES).find(([end]) => file.endsWith(end));
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(read)) throw new Error(`yaml's ${suffix} no longer reads ${read}: update YAML_DEBUG_SWITCHES in esbuild.mjs`);
      return { contents: source.split(read).join('false'), loader: 'js' };
    });
  },
};

/** Options shared by every Node bundle; `production` minifies and drops source maps. */
export function nodeOptions(production) {
  return {
    plugins: [stubIconv, yamlWithoutDebugSwitches],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    legalComments: 'none',
  };
}
const node = nodeOptions(production);

// The extension is three bundles, so that VS Code's activation (loading dist/extension.js and
// calling activate()) stays cheap:
//   dist/extension.js     what activation loads: commands, views, status bar, run manager;
//   dist/lsp-client.js    vscode-languageclient and extension/src/lsp-client.ts, required by
//                         language-client.ts when the server is first needed;
//   dist/lsp-messages.js  vscode-jsonrpc's message types, one module instance for both bundles:
//                         the protocol's RequestType objects are built in dist/extension.js, and
//                         vscode-jsonrpc compares their ParameterStructures by identity.
const jsonrpcMessages = join(dirname(createRequire(join(ROOT, 'node_modules/vscode-languageserver-protocol/package.json')).resolve('vscode-jsonrpc')), '../common/messages.js');
const LSP_MESSAGES = './lsp-messages.js';

/** In dist/lsp-client.js: vscode-jsonrpc's messages module is the shared dist/lsp-messages.js. */
const sharedLspMessages = {
  name: 'shared-lsp-messages',
  setup(build) {
    build.onResolve({ filter: /\/messages(\.js)?$/ }, (args) =>
      resolve(args.resolveDir, args.path).replace(/(\.js)?$/, '.js') === jsonrpcMessages ? { path: LSP_MESSAGES, external: true } : undefined,
    );
  },
};

/**
 * In dist/extension.js: vscode-languageclient/node is lsp-state.ts (State only: importing any
 * other value from it fails the build), the protocol's message types come from the shared
 * dist/lsp-messages.js, and `require('./lsp-client')` stays a run-time require of the
 * dist/lsp-client.js bundle.
 */
const activationBundle = {
  name: 'activation-bundle',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageclient\/node$/ }, () => ({ path: join(ROOT, 'extension/src/lsp-state.ts') }));
    build.onResolve({ filter: /^(vscode-languageclient|vscode-languageserver-protocol|vscode-jsonrpc)(\/|$)/ }, (args) =>
      args.path === 'vscode-languageserver-protocol'
        ? { path: 'message-types', namespace: 'lsp-messages' }
        : { errors: [{ text: `${args.path} must not be in the activation bundle (dist/extension.js); use it from extension/src/lsp-client.ts` }] },
    );
    // Re-exported by name, so that a protocol module importing anything else fails the build.
    build.onLoad({ filter: /.*/, namespace: 'lsp-messages' }, () => ({
      contents: `import * as m from '${LSP_MESSAGES}';\nexport const RequestType = m.RequestType;\nexport const NotificationType = m.NotificationType;\n`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/lsp-(client|messages)(\.js)?$/ }, (args) => ({ path: `${args.path.replace(/\.js$/, '')}.js`, external: true }));
  },
};

/** The extension's three bundles (see above). */
export function extensionTargets(options = node) {
  return [
    { ...options, plugins: [activationBundle], entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], logOverride: { 'import-is-undefined': 'error' } },
    { ...options, plugins: [sharedLspMessages], entryPoints: ['extension/src/lsp-client.ts'], outfile: 'dist/lsp-client.js', external: ['vscode'] },
    { ...options, plugins: [], entryPoints: [jsonrpcMessages], outfile: 'dist/lsp-messages.js' },
  ];
}

const webviewEntries = existsSync('media/src')
  ? readdirSync('media/src').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('-types')).map((f) => `media/src/${f}`)
  : [];

/** The language server and the shared HTTP client it loads; tests build just these two. */
// The HTTP client comes first so that a server bundle never lands without it.
export function serverTargetsWith(options) {
  return [
    { ...options, entryPoints: ['language-server/src/engine/http/undici-client.ts'], outfile: 'dist/undici-client.js' },
    { ...options, plugins: [stubIconv, yamlWithoutDebugSwitches, sharedHttpClient], entryPoints: ['language-server/src/server/main.ts'], outfile: 'dist/server.js' },
  ];
}
export const serverTargets = serverTargetsWith(node);

/** The CLI bundle. */
export function cliTargetWith(options) {
  return { ...options, plugins: [stubIconv, yamlWithoutDebugSwitches, sharedHttpClient], entryPoints: ['language-server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } };
}

const targets = [...extensionTargets(node), ...serverTargets, cliTargetWith(node)].filter((t) => existsSync(t.entryPoints[0]));

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
