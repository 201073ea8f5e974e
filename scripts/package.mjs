// `npm run package`: a production build, then `vsce package`, in a staging folder, so that the
// developer's own dist/ (unminified, with source maps, possibly in use by a running e2e suite or
// `npm run watch`) is never overwritten and no stale file in it can reach the VSIX.
//
//   node scripts/package.mjs [--out FILE.vsix] [--keep-stage]
//
// The staging folder holds copies of what ships (package.json, README, LICENSE, .vscodeignore,
// media/, syntaxes/, schema/, examples/) and symbolic links to the sources the build reads
// (extension/, language-server/, node_modules/, tsconfig.base.json). esbuild follows the links
// to the real files, so module resolution is the same as in the repository. The links are
// removed before vsce runs, so vsce only sees what can ship. Fails when vsce prints a warning,
// when the VSIX exceeds 2 MB, or when a file that must ship is missing from it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The VSIX size budget, in bytes. */
export const VSIX_BUDGET = 2 * 1024 * 1024;

const SHIPPED_COPIES = ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'media', 'syntaxes', 'schema', 'examples'];
const BUILD_LINKS = ['extension', 'language-server', 'node_modules', 'tsconfig.base.json', 'esbuild.mjs'];

/** Files the extension loads at run time; the VSIX is rejected without any of them. */
export const REQUIRED_IN_VSIX = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/lsp-client.js',
  'extension/dist/lsp-messages.js',
  'extension/dist/server.js',
  'extension/dist/cli.js',
  'extension/dist/undici-client.js',
  'extension/dist/webview/preview.js',
  'extension/media/preview.css',
  'extension/media/icon.png',
  'extension/syntaxes/collection-spec.tmLanguage.json',
  'extension/syntaxes/language-configuration.json',
  'extension/schema/collect.schema.json',
];

/**
 * Runs the production build (`node esbuild.mjs --production`) in a fresh staging folder and
 * returns its path; the bundles are in `<stage>/dist`. The build links are removed afterwards.
 */
export function buildProductionStage() {
  const stage = mkdtempSync(join(tmpdir(), 'gleaner-package-'));
  for (const name of SHIPPED_COPIES) {
    if (existsSync(join(ROOT, name))) cpSync(join(ROOT, name), join(stage, name), { recursive: true });
  }
  for (const name of BUILD_LINKS) symlinkSync(join(ROOT, name), join(stage, name));
  try {
    const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: stage, stdio: 'inherit' });
    if (build.status !== 0) throw new Error(`node esbuild.mjs --production failed (status ${build.status})`);
  } finally {
    for (const name of BUILD_LINKS) unlinkSync(join(stage, name));
  }
  return stage;
}

/** The vsce entry point, run with the current Node rather than through npx (no network). */
const VSCE = join(ROOT, 'node_modules/@vscode/vsce/vsce');

/**
 * Runs vsce in `stage` with `args`, standard input closed (so it can never prompt) and returns
 * its output. Throws when vsce fails or prints a warning.
 */
export function vsce(stage, args) {
  const result = spawnSync(process.execPath, [VSCE, ...args], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`vsce ${args.join(' ')} failed (status ${result.status}):\n${output}`);
  const warnings = output.split('\n').filter((line) => /WARNING|warn/i.test(line));
  if (warnings.length > 0) throw new Error(`vsce ${args[0]} printed warnings:\n${warnings.join('\n')}`);
  return output;
}

/** Lists the VSIX's entries (`unzip -Z1`), to check what ships. */
export function vsixEntries(vsix) {
  const list = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(`unzip -Z1 ${vsix} failed: ${list.stderr}`);
  return list.stdout.split('\n').filter(Boolean);
}

/**
 * Builds and packages the extension; returns the VSIX path, its size and its entries. `out`
 * defaults to `<root>/<name>-<version>.vsix`. `stage` reuses a folder from
 * buildProductionStage() (the caller then owns it and removes it).
 */
export function packageExtension({ out, stage: given, keepStage = false, log = console.log } = {}) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const vsix = resolve(out ?? join(ROOT, `${pkg.name}-${pkg.version}.vsix`));
  const t0 = performance.now();
  const stage = given ?? buildProductionStage();
  try {
    // Everything the extension, server and CLI need is bundled into dist/: no node_modules.
    const files = vsce(stage, ['ls', '--no-dependencies']).split('\n').filter(Boolean);
    const leaked = files.filter((f) => /\.(ts|map)$|^node_modules\/|^test\/|^extension\/|^language-server\//.test(f));
    if (leaked.length > 0) throw new Error(`files that must not ship:\n  ${leaked.join('\n  ')}`);
    vsce(stage, ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix]);
    const entries = vsixEntries(vsix);
    const missing = REQUIRED_IN_VSIX.filter((e) => !entries.includes(e));
    if (missing.length > 0) throw new Error(`the VSIX lacks:\n  ${missing.join('\n  ')}`);
    const size = statSync(vsix).size;
    log(`package: ${vsix}`);
    log(`package: ${files.length} files, ${(size / 1024).toFixed(1)} KB (budget ${VSIX_BUDGET / 1024} KB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const f of files) log(`  ${f}`);
    if (size > VSIX_BUDGET) throw new Error(`the VSIX is ${size} bytes, over the ${VSIX_BUDGET}-byte budget`);
    return { vsix, size, files, entries };
  } finally {
    if (keepStage) log(`package: kept staging folder ${stage}`);
    else if (!given) rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined;
  try {
    packageExtension({ out, keepStage: argv.includes('--keep-stage') });
  } catch (error) {
    console.error(`package: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  }
}
