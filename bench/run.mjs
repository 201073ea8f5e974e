// `npm run bench`: runs every benchmark in bench/ one after another, each in its own process,
// and says which ones were skipped because their script does not exist yet. Each bench prints
// its own ratios against a reference measured in the same run.
//
//   node bench/run.mjs [--only robots,extract,lsp,crawl,...] [--quick] [--timeout-min 30]
//
// `--quick` asks the benches that have a short mode for it (the LSP bench at 1k and 5k lines,
// the crawl bench on 500 pages). Exits non-zero when a bench fails or runs out of time.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;
const timeoutMin = argv.includes('--timeout-min') ? Number(argv[argv.indexOf('--timeout-min') + 1]) : 30;

// TypeScript benches run through tsx, as the tests do.
const TSX = ['--import', 'tsx'];
const BENCHES = [
  { name: 'robots', script: 'bench/robots-bench.ts', args: [] },
  { name: 'extract', script: 'bench/extract-bench.ts', args: [] },
  { name: 'lsp', script: 'bench/lsp-bench.mjs', args: quick ? ['--sizes', '1000,5000'] : [] },
  { name: 'crawl', script: 'bench/crawl/run.mjs', args: quick ? ['--quick'] : [] },
];

/** Runs one bench with inherited output, bounded in time; resolves to its exit code. */
function run(bench) {
  const node = bench.script.endsWith('.ts') ? [...TSX, bench.script] : [bench.script];
  return new Promise((resolveCode) => {
    // Its own process group, so that a timeout also ends the servers and crawlers it started.
    const child = spawn(process.execPath, [...node, ...bench.args], { cwd: root, stdio: 'inherit', detached: true });
    const timer = setTimeout(() => {
      process.stderr.write(`bench ${bench.name}: still running after ${timeoutMin} min; stopping it\n`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMin * 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolveCode(code ?? (signal ? 128 : 1));
    });
  });
}

// Benches added later (`bench/<name>-bench.ts|mjs`) run too, after the known ones.
for (const file of readdirSync(join(root, 'bench')).sort()) {
  const m = /^(.+)-bench\.(ts|mjs)$/.exec(file);
  if (m && !BENCHES.some((b) => b.script === `bench/${file}`)) BENCHES.push({ name: m[1], script: `bench/${file}`, args: [] });
}

const outcomes = [];
for (const bench of BENCHES) {
  if (only && !only.includes(bench.name)) continue;
  if (!existsSync(join(root, bench.script))) {
    console.log(`\n=== ${bench.name}: skipped, ${bench.script} does not exist yet`);
    outcomes.push([bench.name, 'skipped (no script)']);
    continue;
  }
  console.log(`\n=== ${bench.name}: node ${bench.script} ${bench.args.join(' ')}`.trimEnd());
  const started = performance.now();
  const code = await run(bench);
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  outcomes.push([bench.name, code === 0 ? `ok (${secs} s)` : `FAILED, exit ${code} (${secs} s)`]);
}

console.log('\n=== summary');
for (const [name, outcome] of outcomes) console.log(`${name.padEnd(8)} ${outcome}`);
process.exitCode = outcomes.some(([, o]) => o.startsWith('FAILED')) ? 1 : 0;
