// The packaging bench: a production build (in a staging folder, as `npm run package` does), the
// bundle sizes against their budgets, the VSIX size, what makes each Node bundle big (esbuild
// metafile), and the cost of loading and activating dist/extension.js.
//
//   node bench/package-bench.mjs [--runs N] [--no-vsix]
//
// About the activation figure: VS Code's own figure (the Running Extensions editor, and what the
// VSIX smoke test logs) is codeLoadingTime + activateCallTime: the require() of the `main` file
// plus the synchronous activate() call; a promise activate() returns is not waited for. This
// bench measures exactly those two steps, in fresh plain-Node processes, on the production
// dist/extension.js with a stub `vscode` module injected through a Module._resolveFilename hook.
// Stub API calls cost next to nothing, and the Node built-ins the bundle uses are loaded before
// the clock starts (the extension host has them loaded already), so the figure leaves out the
// extension host's own work around the call (which the VSIX smoke's figure includes, with its
// per-extension `vscode` API object); it is the part the extension controls. Reported beside it, and not part of activation: loading dist/lsp-client.js (the
// language client), which the extension requires when the first spec opens (after activate()
// has returned). The reference measured in the same run is require() of vscode-languageclient/node
// (from node_modules, unbundled) under the same stub: what activation cost when the client was
// part of the activation bundle.
//
// Exits 1 when a bundle exceeds its budget or the VSIX exceeds 2 MB.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SELF), '..');

const KB = 1024;
const BUDGETS = { 'dist/extension.js': 500 * KB, 'dist/server.js': 1024 * KB };
// The extension's client side is three bundles (esbuild.mjs); together they keep the 500 KB budget.
const EXTENSION_BUNDLES = ['dist/extension.js', 'dist/lsp-client.js', 'dist/lsp-messages.js'];
const EXTENSION_BUDGET = 500 * KB;

/**
 * A stub of the `vscode` module: every property is another stub that can be called or
 * constructed, so any API the extension touches at load or activation time "works" and costs
 * almost nothing. Values the extension branches on are given real shapes.
 */
function vscodeStub() {
  const cache = new Map();
  const make = (path) => {
    if (cache.has(path)) return cache.get(path);
    const target = function stub() {};
    // Assigned values live beside the target: a function's own `name` and `length` are read-only.
    const assigned = new Map();
    const proxy = new Proxy(target, {
      get(t, key) {
        if (assigned.has(key)) return assigned.get(key);
        if (key === 'then') return undefined; // not a thenable
        if (key === Symbol.iterator) return function* empty() {};
        if (key === Symbol.toPrimitive) return () => path;
        if (typeof key === 'symbol' || key === 'prototype') return Reflect.get(t, key);
        return make(`${path}.${key}`);
      },
      set(t, key, value) {
        assigned.set(key, value);
        return true;
      },
      apply: () => make(`${path}()`),
      construct: () => make(`new ${path}`),
    });
    cache.set(path, proxy);
    return proxy;
  };
  // A plain object with one stub per top-level name of @types/vscode: esbuild's CommonJS interop
  // (__toESM) copies only a module's own property names, so a bare Proxy would look empty.
  const dts = readFileSync(createRequire(SELF).resolve('@types/vscode/index.d.ts'), 'utf8');
  const names = [...dts.matchAll(/^\texport (?:namespace|class|enum|function|const|let) ([A-Za-z_]\w*)/gm)].map((m) => m[1]);
  const vscode = Object.fromEntries(names.map((n) => [n, make(`vscode.${n}`)]));
  Object.assign(vscode.workspace, { textDocuments: [], workspaceFolders: undefined, isTrusted: true });
  const shown = [];
  const show = (message) => {
    shown.push(String(message));
    return Promise.resolve(undefined);
  };
  Object.assign(vscode.window, {
    activeTextEditor: undefined,
    visibleTextEditors: [],
    showErrorMessage: show,
    showWarningMessage: show,
    showInformationMessage: show,
    shownMessages: shown,
  });
  return vscode;
}

/** Child mode: load (and for the extension, activate) one module; print the times as JSON. */
async function child(kind, modulePath) {
  const Module = createRequire(SELF)('node:module');
  const stub = vscodeStub();
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === 'vscode' ? 'vscode' : resolveFilename.call(this, request, ...rest);
  };
  Module._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: stub };
  const require = createRequire(join(ROOT, 'package.json'));
  // The Node built-ins the module requires are loaded before the clock starts: VS Code's extension
  // host has loaded them long before it activates an extension (it uses them itself), so their
  // first-load cost (node:fs/promises alone takes several milliseconds) is not the extension's.
  if (kind === 'extension') {
    for (const m of new Set(readFileSync(modulePath, 'utf8').match(/(?<=require\(")node:[\w/]+(?="\))/g) ?? [])) require(m);
  }
  const t0 = performance.now();
  const mod = require(modulePath);
  const t1 = performance.now();
  let activateMs;
  let activateError;
  if (kind === 'extension') {
    const extensionDir = dirname(dirname(modulePath));
    const context = {
      subscriptions: [],
      extensionPath: extensionDir,
      extensionUri: stub.Uri.file(extensionDir),
      asAbsolutePath: (p) => join(extensionDir, p),
      globalState: stub.globalState,
      workspaceState: stub.workspaceState,
      secrets: stub.secrets,
      globalStorageUri: stub.Uri.file(join(tmpdir(), 'gleaner-bench-global')),
      storageUri: undefined,
      logUri: stub.Uri.file(join(tmpdir(), 'gleaner-bench-log')),
      extensionMode: 1,
    };
    try {
      mod.activate(context);
      activateMs = performance.now() - t1;
    } catch (error) {
      activateError = error instanceof Error ? error.stack : String(error);
    }
    // An activation failure the extension caught itself still shows an error message.
    if (!activateError && stub.window.shownMessages.length > 0) activateError = stub.window.shownMessages.join('; ');
  }
  // Not activation: the language-client bundle, which the extension requires (from beside
  // dist/extension.js) when the first spec opens. Measured after activation, as it happens.
  let clientLoadMs;
  if (kind === 'extension' && existsSync(join(dirname(modulePath), 'lsp-client.js'))) {
    const t2 = performance.now();
    require(join(dirname(modulePath), 'lsp-client.js'));
    clientLoadMs = performance.now() - t2;
  }
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs, activateError, clientLoadMs }));
  // The stub never starts anything, but a stray handle must not keep the child alive.
  process.exit(0);
}

function runChild(kind, modulePath) {
  const result = spawnSync(process.execPath, [SELF, '--child', kind, modulePath], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`child ${kind} failed (status ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (n) => `${(n / KB).toFixed(1)} KB`;
const pad = (s, n) => String(s).padEnd(n);

/**
 * Rebuilds one target of esbuild.mjs (its production options and plugins, imported from it) with
 * a metafile, and sums each input's bytes in the output by package (node_modules/<pkg>) or by
 * project folder. The analysis output is compared with the real bundle's size.
 */
async function contributors(target, realSize) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ ...target, absWorkingDir: ROOT, metafile: true, write: false, logLevel: 'silent' });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  const groups = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    // A nested copy is named with its parent ("whatwg-encoding > iconv-lite"), so duplicates show.
    const chain = input.split('node_modules/').slice(1).map((part) => {
      const parts = part.split('/');
      return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    });
    const group = chain.length > 0 ? chain.join(' > ') : input.split('/').slice(0, 4).join('/');
    groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
  }
  const total = output.bytes;
  const drift = Math.abs(total - realSize) / realSize;
  return { total, drift, top: [...groups.entries()].sort((a, b) => b[1] - a[1]) };
}

async function main() {
  const argv = process.argv.slice(2);
  const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 11;
  const { buildProductionStage, packageExtension, VSIX_BUDGET } = await import('../scripts/package.mjs');
  let failed = false;

  console.log('package bench: production build (node esbuild.mjs --production) in a staging folder');
  const t0 = performance.now();
  const stage = buildProductionStage();
  console.log(`  build: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  try {
    console.log('\nbundle sizes (minified, no source maps)');
    const sizes = {};
    // Every webview bundle but the empty, types-only *messages.js ones (they do not ship).
    const webviews = readdirSync(join(stage, 'dist/webview')).filter((f) => f.endsWith('.js') && !f.endsWith('messages.js')).map((f) => `dist/webview/${f}`);
    for (const file of [...EXTENSION_BUNDLES, 'dist/server.js', 'dist/cli.js', ...webviews]) {
      sizes[file] = statSync(join(stage, file)).size;
      const budget = BUDGETS[file];
      const verdict = budget === undefined ? 'no budget' : sizes[file] <= budget ? `ok (budget ${kb(budget)})` : `OVER budget ${kb(budget)} by ${kb(sizes[file] - budget)}`;
      if (budget !== undefined && sizes[file] > budget) failed = true;
      console.log(`  ${pad(file, 26)} ${pad(kb(sizes[file]), 10)} ${verdict}`);
    }
    const extensionTotal = EXTENSION_BUNDLES.reduce((sum, f) => sum + sizes[f], 0);
    if (extensionTotal > EXTENSION_BUDGET) failed = true;
    console.log(`  ${pad('extension, 3 bundles', 26)} ${pad(kb(extensionTotal), 10)} ${extensionTotal <= EXTENSION_BUDGET ? 'ok' : 'OVER'} (budget ${kb(EXTENSION_BUDGET)})`);

    if (!argv.includes('--no-vsix')) {
      const dir = mkdtempSync(join(tmpdir(), 'gleaner-bench-vsix-'));
      try {
        const { size, files } = packageExtension({ stage, out: join(dir, 'gleaner.vsix'), log: () => undefined });
        const verdict = size <= VSIX_BUDGET ? `ok (budget ${kb(VSIX_BUDGET)})` : `OVER budget ${kb(VSIX_BUDGET)}`;
        if (size > VSIX_BUDGET) failed = true;
        console.log(`  ${pad('VSIX', 26)} ${pad(kb(size), 10)} ${verdict}, ${files.length} files`);
      } catch (error) {
        failed = true;
        console.log(`  VSIX: packaging failed: ${error instanceof Error ? error.message : error}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    console.log(`\nactivation as VS Code counts it (require + activate() call), ${runs} fresh Node ${process.version} processes each, interleaved (median / min)`);
    console.log('  NOTE: against a stub vscode module; VS Code\'s own figure adds the extension host\'s work around the call');
    const ext = [];
    const ref = [];
    for (let i = 0; i < runs; i++) {
      ext.push(runChild('extension', join(stage, 'dist/extension.js')));
      ref.push(runChild('reference', 'vscode-languageclient/node'));
    }
    const activateError = ext.find((r) => r.activateError)?.activateError;
    const extLoad = median(ext.map((r) => r.loadMs));
    const refLoad = median(ref.map((r) => r.loadMs));
    console.log(`  ${pad('require(dist/extension.js)', 40)} ${extLoad.toFixed(1)} ms / ${Math.min(...ext.map((r) => r.loadMs)).toFixed(1)} ms`);
    if (activateError) {
      console.log(`  activate() threw against the stub (not measured): ${activateError}`);
    } else {
      const act = ext.map((r) => r.activateMs);
      const total = ext.map((r) => r.loadMs + r.activateMs);
      console.log(`  ${pad('activate(context)', 40)} ${median(act).toFixed(2)} ms / ${Math.min(...act).toFixed(2)} ms`);
      console.log(`  ${pad('activation: require + activate', 40)} ${median(total).toFixed(1)} ms / ${Math.min(...total).toFixed(1)} ms`);
    }
    const client = ext.map((r) => r.clientLoadMs ?? NaN);
    console.log(`  ${pad('later, first spec: require(lsp-client.js)', 40)} ${median(client).toFixed(1)} ms / ${Math.min(...client).toFixed(1)} ms  (not activation)`);
    console.log(`  ${pad('reference: require(vscode-languageclient/node)', 40)} ${refLoad.toFixed(1)} ms / ${Math.min(...ref.map((r) => r.loadMs)).toFixed(1)} ms`);
    console.log(`  ratio extension load / reference load: ${(extLoad / refLoad).toFixed(2)}`);

    console.log('\nlargest contributors per bundle (esbuild metafile of the same production options)');
    const build = await import('../esbuild.mjs');
    const options = build.nodeOptions(true);
    const [extensionTarget, clientTarget] = build.extensionTargets(options);
    const targets = [extensionTarget, clientTarget, ...build.serverTargetsWith(options).slice(1), build.cliTargetWith(options)];
    for (const target of targets) {
      const file = target.outfile;
      const { total, drift, top } = await contributors(target, sizes[file]);
      console.log(`  ${file} (${kb(total)} in the analysis build${drift > 0.02 ? `, ${(drift * 100).toFixed(1)}% off the real bundle` : ''})`);
      for (const [group, bytes] of top.slice(0, 10)) console.log(`    ${pad(group, 44)} ${pad(kb(bytes), 10)} ${((bytes / total) * 100).toFixed(1)}%`);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  console.log(`\npackage bench: ${failed ? 'FAILED (a budget is exceeded)' : 'all budgets met'}`);
  process.exitCode = failed ? 1 : 0;
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
