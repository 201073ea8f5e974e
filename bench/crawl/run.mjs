// Crawl benchmark: Gleaner, Crawlee's CheerioCrawler and Scrapy run the same job against the same
// generated site on 127.0.0.1, in the same run, so the ratios mean something on any machine.
//
// The job: start at the first listing page, follow pagination, product and related-product links,
// obey robots.txt (which disallows /cart/ and /product/archive/), extract title/price/rating/sku
// from each product page, write JSONL. Politeness off: no delay, the same number of requests in
// flight for every crawler, no HTTP cache, the same user agent.
//
//   node bench/crawl/run.mjs [--pages 5000 | --quick] [--concurrency 16] [--repeat 1]
//        [--only gleaner,crawlee,scrapy] [--no-polite] [--timeout 600] [--keep]
//
// Measures per crawler: wall time → pages/s, CPU seconds (user + sys of the whole process tree),
// peak RSS of the process tree, and checks the records against the site's ground truth. Then a
// polite-mode check: Gleaner with a 200 ms delay, one request at a time, on 30 pages.
//
// Goals (issue): Gleaner ≥ 1.5× Crawlee and ≥ 2× Scrapy in pages/s; peak RSS ≤ 0.5× Crawlee and
// ≤ 256 MB; polite wall time ≤ 1.05 × requests × delay.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gleanerSpec } from './gleaner-spec.mjs';
import { expectedRecords, layout } from './site-data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const argv = process.argv.slice(2);
const has = (name) => argv.includes(name);
const arg = (name, fallback) => (has(name) ? argv[argv.indexOf(name) + 1] : fallback);

const quick = has('--quick');
const pages = Number(arg('--pages', quick ? '500' : '5000'));
// 16 in flight, the issue's job; a spec whose hosts are all loopback may ask for that many.
const concurrency = Number(arg('--concurrency', '16'));
const repeat = Math.max(1, Number(arg('--repeat', '1')));
const only = arg('--only', 'gleaner,crawlee,scrapy').split(',');
const timeoutSec = Number(arg('--timeout', String(Math.max(120, Math.ceil(pages * 0.12)))));
const USER_AGENT = 'GleanerBench/1.0 (+mailto:bench@example.org)';
const POLITE_PAGES = 30;
const POLITE_DELAY_MS = 200;

for (const [name, value] of [['--pages', pages], ['--concurrency', concurrency], ['--timeout', timeoutSec]]) {
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name}: expected a positive integer`);
    process.exit(2);
  }
}

const work = mkdtempSync(join(tmpdir(), 'gleaner-crawl-bench-'));
const children = new Set();
function cleanup() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  if (!has('--keep')) rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

// ---------------------------------------------------------------------------------------------
// The site, in its own process so that its CPU is not charged to the crawler.

async function startSite(sitePages) {
  const child = spawn(process.execPath, [join(here, 'site.mjs'), '--pages', String(sitePages)], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  children.add(child);
  const info = await new Promise((resolveInfo, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('the site server did not start within 120 s')), 120_000);
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolveInfo(JSON.parse(buf.slice(0, nl)));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the site server exited (${code}) before listening`));
    });
  });
  return {
    ...info,
    pid: child.pid,
    async stats(reset) {
      const res = await fetch(`${info.origin}/__bench/stats${reset ? '?reset=1' : ''}`, { signal: AbortSignal.timeout(10_000) });
      return res.json();
    },
    stop() {
      child.stdin.end();
      child.kill('SIGTERM');
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring a child process tree.

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime + stime (+ waited-for children) of one process, in seconds; undefined once it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

function statusKb(pid, key) {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Every live descendant of `rootPid` (including it), from one scan of /proc. */
function processTree(rootPid) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended during the scan.
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree.filter((pid) => parent.has(pid));
}

const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs `cmd args` bounded by `timeoutSec`, sampling the RSS of its process tree. Peak RSS is the
 * largest of: the sampled sum over the tree, any process's own high-water mark (VmHWM, which also
 * catches spikes between samples), and GNU time's max RSS when available.
 */
async function measure(cmd, args, { env, stdoutFile, stderrFile }) {
  const timeFile = join(work, `time-${Date.now()}.txt`);
  const [bin, binArgs] = TIME_BIN ? [TIME_BIN, ['-f', '%e %M %U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  const started = performance.now();
  const child = spawn(bin, binArgs, { env: { ...process.env, ...env }, stdio: ['ignore', out, err], detached: true, cwd: root });
  children.add(child);
  closeSync(out);
  closeSync(err);
  let peakTreeKb = 0;
  let peakHwmKb = 0;
  let lastCpu = 0;
  let tree = [child.pid];
  let scans = 0;
  const sample = () => {
    // A full /proc scan every 5th sample (~250 ms) finds new descendants; HWM in between.
    if (scans++ % 5 === 0) tree = processTree(child.pid);
    let sum = 0;
    let cpu = 0;
    for (const pid of tree) {
      sum += statusKb(pid, 'VmRSS');
      peakHwmKb = Math.max(peakHwmKb, statusKb(pid, 'VmHWM'));
      cpu += cpuSeconds(pid) ?? 0;
    }
    peakTreeKb = Math.max(peakTreeKb, sum);
    if (cpu > 0) lastCpu = Math.max(lastCpu, cpu);
  };
  const poller = setInterval(sample, 50);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, timeoutSec * 1000);
  const code = await new Promise((res) => child.on('exit', (c, signal) => res(c ?? signal)));
  const wallSec = (performance.now() - started) / 1000;
  clearInterval(poller);
  clearTimeout(killer);
  children.delete(child);
  let timeMaxKb = 0;
  let cpuSec = lastCpu;
  if (TIME_BIN && existsSync(timeFile)) {
    const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [, maxKb, user, sys] = line.split(' ').map(Number);
    if (Number.isFinite(maxKb)) timeMaxKb = maxKb;
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuSec = user + sys;
  }
  return { code, timedOut, wallSec, cpuSec, peakRssMb: Math.max(peakTreeKb, peakHwmKb, timeMaxKb) / 1024 };
}

// ---------------------------------------------------------------------------------------------
// The three crawlers.

function findScrapyPython() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(python, ['-c', 'import scrapy; print(scrapy.__version__)'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return undefined;
}

function crawleeVersion() {
  try {
    const require = createRequire(import.meta.url);
    return require('@crawlee/cheerio/package.json').version;
  } catch {
    return undefined;
  }
}

function readJsonl(file) {
  if (!file || !existsSync(file)) return [];
  const rows = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      rows.push({ unparsable: line.slice(0, 80) });
    }
  }
  return rows;
}

function lastLine(file) {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  return (lines.pop() ?? '').slice(0, 200);
}

/** Each crawler: whether it can run here, and how to run the fast job and find its records. */
const crawlers = {
  gleaner: {
    label: 'Gleaner',
    available() {
      const cli = join(root, 'dist', 'cli.js');
      return existsSync(cli) ? { ok: true, version: 'dist/cli.js' } : { ok: false, why: 'not available yet: dist/cli.js is not built (node esbuild.mjs)' };
    },
    prepare(dir, origin, mode = 'fast', sitePages = pages) {
      const spec = join(dir, `bench-${mode}.collect.yaml`);
      writeFileSync(spec, gleanerSpec({ origin, mode, concurrency, delayMs: POLITE_DELAY_MS, pages: sitePages, userAgent: USER_AGENT }));
      return { cmd: process.execPath, args: [join(root, 'dist', 'cli.js'), 'run', spec, '--out', join(dir, 'out'), '--json', '--yes'], env: {} };
    },
    records(dir, stdoutFile) {
      // The `done` event names the records file; fall back to the newest run folder.
      let file;
      for (const e of readJsonl(stdoutFile)) if (e.type === 'done' && e.summary?.files?.records) file = e.summary.files.records;
      if (!file && existsSync(join(dir, 'out'))) {
        const runs = readdirSync(join(dir, 'out')).sort();
        if (runs.length) file = join(dir, 'out', runs[runs.length - 1], 'records.jsonl');
      }
      return readJsonl(file);
    },
    failure(stdoutFile) {
      const events = readJsonl(stdoutFile);
      const done = events.find((e) => e.type === 'done');
      if (!done) return 'no `done` event on stdout';
      if (done.status !== 'completed') return `run ${done.status}: ${done.reason ?? ''}`;
      if (done.summary?.counts?.records === 0) {
        // Say why from the run's own events rather than from a warning on stderr.
        const skip = events.find((e) => e.type === 'skip');
        return `no records${skip ? `; first skip: ${skip.reason}: ${skip.detail ?? ''} (${skip.url})` : ''}`;
      }
      return undefined;
    },
  },
  crawlee: {
    label: 'Crawlee',
    available() {
      const v = crawleeVersion();
      return v ? { ok: true, version: `@crawlee/cheerio ${v}` } : { ok: false, why: 'skipped: @crawlee/cheerio is not installed (npm install --save-dev @crawlee/cheerio)' };
    },
    prepare(dir, origin) {
      return {
        cmd: process.execPath,
        args: [join(here, 'crawlee-job.mjs'), '--origin', origin, '--out', join(dir, 'records.jsonl'), '--concurrency', String(concurrency), '--user-agent', USER_AGENT],
        env: { CRAWLEE_STORAGE_DIR: join(dir, 'storage'), CRAWLEE_PERSIST_STORAGE: 'false', CRAWLEE_PURGE_ON_START: 'true' },
      };
    },
    records: (dir) => readJsonl(join(dir, 'records.jsonl')),
    failure: () => undefined,
  },
  scrapy: {
    label: 'Scrapy',
    scrapy: undefined,
    available() {
      this.scrapy = findScrapyPython();
      return this.scrapy
        ? { ok: true, version: `Scrapy ${this.scrapy.version} (${this.scrapy.python})` }
        : { ok: false, why: 'skipped: Scrapy is not installed; as root run `bash bench/setup.sh` (apt-get install -y python3-scrapy)' };
    },
    prepare(dir, origin) {
      return {
        cmd: this.scrapy.python,
        args: [join(here, 'scrapy_job.py'), '--origin', origin, '--out', join(dir, 'records.jsonl'), '--concurrency', String(concurrency), '--user-agent', USER_AGENT],
        env: { PYTHONDONTWRITEBYTECODE: '1' },
      };
    },
    records: (dir) => readJsonl(join(dir, 'records.jsonl')),
    failure: () => undefined,
  },
};

/** Compares a crawler's records with the site's ground truth. */
function verify(records, expected) {
  const seen = new Set();
  let correct = 0;
  let duplicates = 0;
  let wrong = 0;
  for (const r of records) {
    const sku = String(r.sku ?? '');
    if (seen.has(sku)) {
      duplicates += 1;
      continue;
    }
    seen.add(sku);
    const e = expected.get(sku);
    if (e && r.title === e.title && Math.abs(Number(r.price) - e.price) < 0.005 && Number(r.rating) === e.rating) correct += 1;
    else wrong += 1;
  }
  return { records: records.length, unique: seen.size, correct, duplicates, wrong, missing: expected.size - correct };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** One measured run of crawler `key`, with its records checked against the ground truth. */
async function attempt(key, i, site, expected) {
  const c = crawlers[key];
  const dir = join(work, `${key}-${i}`);
  mkdirSync(dir, { recursive: true });
  const { cmd, args, env } = c.prepare(dir, site.origin);
  await site.stats(true);
  const siteCpu0 = cpuSeconds(site.pid) ?? 0;
  const stdoutFile = join(dir, 'stdout.txt');
  const stderrFile = join(dir, 'stderr.txt');
  process.stderr.write(`  ${c.label} run ${i + 1}/${repeat} … `);
  const m = await measure(cmd, args, { env, stdoutFile, stderrFile });
  const siteCpu = (cpuSeconds(site.pid) ?? 0) - siteCpu0;
  const served = await site.stats(true);
  const check = verify(c.records(dir, stdoutFile), expected);
  const htmlPages = served.listing + served.product;
  const failure = m.timedOut
    ? `timed out after ${timeoutSec} s`
    : m.code !== 0
      ? `exit ${m.code}: ${lastLine(stderrFile)}`
      : (c.failure(stdoutFile) ?? (check.records === 0 ? `no records: ${lastLine(stderrFile)}` : undefined));
  process.stderr.write(`${m.wallSec.toFixed(1)} s${failure ? ` (${failure})` : ''}\n`);
  return { ...m, siteCpu, served, htmlPages, check, failure, pagesPerSec: htmlPages / m.wallSec, pagesPerCpuSec: htmlPages / m.cpuSec };
}

/** The median run by wall time stands for the crawler; peak RSS is the worst of its runs. */
function summarise(attempts) {
  const ok = attempts.filter((a) => !a.failure);
  const pool = ok.length ? ok : attempts;
  const mid = median(pool.map((a) => a.wallSec));
  const chosen = pool.find((a) => a.wallSec === mid);
  return { ...chosen, peakRssMb: Math.max(...pool.map((a) => a.peakRssMb)), runs: attempts.length };
}

// ---------------------------------------------------------------------------------------------

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');

async function main() {
  const lay = layout(pages);
  console.log(`Crawl benchmark: ${pages} product pages (+${lay.archived} disallowed by robots.txt) on ${lay.listings} listing pages; ` +
    `${concurrency} requests in flight, no delay, robots.txt obeyed; ${repeat} run(s) each, median shown.`);
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
  const load = existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : '?';
  console.log(`Machine: ${nproc} CPU(s), load average ${load} at start, Node ${process.version}. The site runs in its own process; its CPU is shown apart.`);

  const site = await startSite(pages);
  console.log(`Site: ${site.origin}, ${site.routes} routes, ${(site.bytes / 1e6).toFixed(0)} MB served from memory.\n`);
  const expected = expectedRecords(pages);
  const results = {};
  const runnable = [];
  for (const key of ['gleaner', 'crawlee', 'scrapy']) {
    if (!only.includes(key)) continue;
    const c = crawlers[key];
    const a = c.available();
    if (!a.ok) {
      console.log(`${c.label}: ${a.why}`);
      results[key] = { skipped: a.why };
      continue;
    }
    console.log(`${c.label}: ${a.version}`);
    runnable.push(key);
  }
  // Round-robin over the crawlers, so that a change in the machine's load between the start and
  // the end of the bench does not fall on one crawler only.
  const attempts = Object.fromEntries(runnable.map((k) => [k, []]));
  const broken = {};
  for (let i = 0; i < repeat; i++) {
    for (const key of runnable) {
      if (broken[key]) continue;
      try {
        attempts[key].push(await attempt(key, i, site, expected));
      } catch (e) {
        broken[key] = `failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  }
  for (const key of runnable) results[key] = attempts[key].length ? summarise(attempts[key]) : { skipped: broken[key] };
  site.stop();

  console.log('');
  const header = `${pad('crawler', 9)}${lpad('wall s', 8)}${lpad('pages', 7)}${lpad('pages/s', 9)}${lpad('CPU s', 8)}${lpad('pages/CPU s', 12)}${lpad('peak RSS MB', 12)}${lpad('records', 9)}${lpad('correct', 9)}${lpad('robots', 8)}${lpad('disallowed', 11)}${lpad('site CPU s', 11)}${lpad('conns', 7)}  note`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const key of Object.keys(results)) {
    const r = results[key];
    const label = crawlers[key].label;
    if (r.skipped) {
      console.log(`${pad(label, 9)}${r.skipped}`);
      continue;
    }
    const notes = [];
    if (r.failure) notes.push(r.failure);
    if (r.check.correct !== pages) notes.push(`expected ${pages} correct records`);
    if (r.check.duplicates) notes.push(`${r.check.duplicates} duplicate records`);
    if (r.check.wrong) notes.push(`${r.check.wrong} wrong records`);
    if (r.served.disallowed) notes.push(`fetched ${r.served.disallowed} robots-disallowed URLs`);
    if (r.served.robots === 0) notes.push('never fetched robots.txt');
    const otherAgents = Object.entries(r.served.userAgents).filter(([ua]) => ua !== USER_AGENT);
    if (otherAgents.length) notes.push(`${otherAgents.reduce((n, [, c]) => n + c, 0)} request(s) with another user agent (${otherAgents.map(([ua]) => ua.slice(0, 40)).join(', ')})`);
    console.log(
      `${pad(label, 9)}${lpad(fmt(r.wallSec, 2), 8)}${lpad(r.htmlPages, 7)}${lpad(fmt(r.pagesPerSec), 9)}${lpad(fmt(r.cpuSec, 2), 8)}${lpad(fmt(r.pagesPerCpuSec), 12)}` +
        `${lpad(fmt(r.peakRssMb), 12)}${lpad(r.check.records, 9)}${lpad(r.check.correct, 9)}${lpad(r.served.robots, 8)}${lpad(r.served.disallowed, 11)}${lpad(fmt(r.siteCpu, 2), 11)}${lpad(r.served.connections, 7)}  ${notes.join('; ') || 'ok'}`,
    );
  }

  // Records must agree across crawlers: the same job gives the same data.
  const counts = Object.entries(results).filter(([, r]) => !r.skipped).map(([k, r]) => [crawlers[k].label, r.check.records]);
  if (new Set(counts.map(([, n]) => n)).size > 1) console.log(`\nMISMATCH in record counts: ${counts.map(([l, n]) => `${l} ${n}`).join(', ')}`);
  else if (counts.length > 1) console.log(`\nRecord counts agree: ${counts[0][1]} each.`);

  const g = results.gleaner;
  const gOk = g && !g.skipped && !g.failure;
  console.log('');
  for (const [key, speedGoal] of [['crawlee', 1.5], ['scrapy', 2]]) {
    const r = results[key];
    const label = crawlers[key].label;
    if (!r || r.skipped || r.failure) {
      console.log(`Gleaner/${label}: no reference (${r?.skipped ?? r?.failure ?? 'not run'})`);
      continue;
    }
    if (!gOk) {
      console.log(`Gleaner/${label}: Gleaner ${g?.skipped ?? g?.failure ?? 'not run'}`);
      continue;
    }
    const speed = g.pagesPerSec / r.pagesPerSec;
    const cpu = g.pagesPerCpuSec / r.pagesPerCpuSec;
    const rss = g.peakRssMb / r.peakRssMb;
    const rssGoal = key === 'crawlee' ? ` (goal ≤ 0.50: ${rss <= 0.5 ? 'met' : 'NOT met'})` : '';
    console.log(`Gleaner/${label}: pages/s ${fmt(speed, 2)}× (goal ≥ ${speedGoal}: ${speed >= speedGoal ? 'met' : 'NOT met'}), pages per CPU s ${fmt(cpu, 2)}×, peak RSS ${fmt(rss, 2)}×${rssGoal}`);
  }
  if (gOk) console.log(`Gleaner peak RSS: ${fmt(g.peakRssMb)} MB (goal ≤ 256 MB: ${g.peakRssMb <= 256 ? 'met' : 'NOT met'})`);

  if (!has('--no-polite') && only.includes('gleaner')) await politeCheck();
}

/** Gleaner with a 200 ms delay and one request at a time on a 30-page site. */
async function politeCheck() {
  console.log(`\nPolite mode: Gleaner, delay ${POLITE_DELAY_MS} ms, 1 request at a time per host, no jitter, ${POLITE_PAGES} product pages.`);
  const a = crawlers.gleaner.available();
  if (!a.ok) {
    console.log(`  Gleaner ${a.why}`);
    return;
  }
  const site = await startSite(POLITE_PAGES);
  try {
    const dir = join(work, 'polite');
    mkdirSync(dir, { recursive: true });
    const { cmd, args, env } = crawlers.gleaner.prepare(dir, site.origin, 'polite', POLITE_PAGES);
    await site.stats(true);
    const stdoutFile = join(dir, 'stdout.txt');
    const m = await measure(cmd, args, { env, stdoutFile, stderrFile: join(dir, 'stderr.txt') });
    const served = await site.stats(true);
    const records = crawlers.gleaner.records(dir, stdoutFile).length;
    const failure = m.timedOut ? `timed out after ${timeoutSec} s` : m.code !== 0 ? `exit ${m.code}: ${lastLine(join(dir, 'stderr.txt'))}` : crawlers.gleaner.failure(stdoutFile);
    if (failure || records === 0) {
      console.log(`  not measured: ${failure ?? 'no records'} (${served.requests} requests served)`);
      return;
    }
    const budget = (served.requests * POLITE_DELAY_MS) / 1000;
    const ratio = m.wallSec / budget;
    console.log(`  ${served.requests} requests (robots.txt included), ${records} records`);
    console.log(`  wall time ${fmt(m.wallSec, 2)} s ÷ (requests × delay = ${fmt(budget, 2)} s) = ${fmt(ratio, 3)} (goal ≤ 1.05: ${ratio <= 1.05 ? 'met' : 'NOT met'}); process start-up included`);
    // The run's own duration, without Node's start-up and the CLI's loading.
    const done = readJsonl(stdoutFile).find((e) => e.type === 'done');
    if (done?.summary?.durationMs) {
      const own = done.summary.durationMs / 1000;
      console.log(`  run duration (done event) ${fmt(own, 2)} s ÷ ${fmt(budget, 2)} s = ${fmt(own / budget, 3)}`);
    }
    // As the site saw it: first to last page request (robots.txt is fetched outside the page
    // throttle), against the gaps the delay asks for.
    const pageRequests = served.listing + served.product;
    if (pageRequests > 1) {
      const span = (served.lastMs - served.firstPageMs) / 1000;
      const gaps = ((pageRequests - 1) * POLITE_DELAY_MS) / 1000;
      console.log(`  seen by the site: first → last page request ${fmt(span, 2)} s ÷ ((pages − 1) × delay = ${fmt(gaps, 2)} s) = ${fmt(span / gaps, 3)}`);
    }
  } finally {
    site.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`crawl bench: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  },
);
