// The built CLI as a child process against the demo site: kill -9 at several points and resume
// (nothing lost, nothing duplicated, no torn line, the same field statistics as an uninterrupted
// run), SIGINT then resume (no page fetched twice, the same statistics), and the exit codes of
// check / run / robots / usage errors.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { DEMO_CREDENTIALS, startDemoSite } from '../../../language-server/src/demo-site/index';
import { readRunCheckpoint } from '../../../language-server/src/engine/crawl/run-collection';
import type { Checkpoint, CrawlState, FieldStat, RunEvent, RunManifest } from '../../../language-server/src/engine/index';
import { runCliChild, type ChildRun, type SignalOnEvent } from '../../support/cli-child';
import { demoEnvFrom, exampleSpecText, readJsonl, ROOT } from '../crawl/support';

const CLI = join(ROOT, 'dist', 'cli.js');
let site: Awaited<ReturnType<typeof startDemoSite>>;
const work = mkdtempSync(join(tmpdir(), 'gleaner-cli-'));
const env = { ...process.env, ...demoEnvFrom(DEMO_CREDENTIALS) };

before(async () => {
  // The same bundle `node esbuild.mjs` makes for the CLI, built alone so that this test does not
  // depend on the other targets building.
  await build({
    entryPoints: [join(ROOT, 'language-server/src/cli/main.ts')],
    outfile: CLI,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
    legalComments: 'none',
  });
  site = await startDemoSite({ port: 0 });
});
after(async () => {
  await site.close();
  rmSync(work, { recursive: true, force: true });
});

function writeSpec(name: string): string {
  const path = join(work, `${name}.collect.yaml`);
  writeFileSync(path, exampleSpecText('books.collect.yaml', site.origin));
  return path;
}

/** Runs the built CLI; `onEvent` may name a signal to send (once). */
function runCli(args: string[], onEvent: SignalOnEvent = () => undefined, timeoutMs = 20_000): Promise<ChildRun> {
  return runCliChild(CLI, env, args, onEvent, timeoutMs);
}

function runDirOf(r: ChildRun): string {
  const start = r.events.find((e): e is Extract<RunEvent, { type: 'start' }> => e.type === 'start');
  assert.ok(start, `no start event; stderr: ${r.stderr}`);
  return start.runDir;
}

/** The run's field statistics: the `field-stats` event, checked against the `done` summary's. */
function fieldStatsOf(r: ChildRun): FieldStat[] {
  const event = r.events.find((e) => e.type === 'field-stats');
  assert.ok(event?.type === 'field-stats', `no field-stats event; stderr: ${r.stderr}`);
  const done = r.events.find((e) => e.type === 'done');
  assert.deepEqual(done?.type === 'done' ? done.summary.fieldStats : undefined, event.stats);
  return event.stats;
}

/** The run diagnostics (field and follow-rule warnings naming a spec path), sorted. */
function diagnosticsOf(r: ChildRun): string[] {
  return r.events.flatMap((e) => (e.type === 'warning' && e.code !== undefined ? [e.message] : [])).sort();
}

let uninterrupted: Promise<ChildRun> | undefined;
/** One uninterrupted run of the books example, the reference the resumed runs are held to. */
function uninterruptedRun(): Promise<ChildRun> {
  uninterrupted ??= runCli(['run', writeSpec('whole'), '--out', join(work, 'whole-out'), '--json', '--yes']);
  return uninterrupted;
}

const isDetail = (path: string): boolean => /^\/catalogue\/[a-z0-9-]+_\d+\/index\.html/.test(path);

void test('kill -9 at several points, then resume: nothing lost, nothing duplicated, no torn line', { timeout: 60_000 }, async () => {
  const spec = writeSpec('kill');
  const out = join(work, 'kill-out');
  const firstRequest = site.requests.length;
  // 1: right after the first committed record batch.
  const r1 = await runCli(['run', spec, '--out', out, '--json', '--yes'], (e) => (e.type === 'record-batch' ? 'SIGKILL' : undefined));
  assert.equal(r1.signal, 'SIGKILL', `the run ended before the kill: ${r1.stderr}`);
  const runDir = runDirOf(r1);
  const committed1 = Math.max(...r1.events.filter((e) => e.type === 'record-batch').map((e) => (e as { total: number }).total));
  // The snapshot with the journal replayed: checkpoint.json alone is only the last compaction.
  const cp1 = await readRunCheckpoint(runDir);
  assert.ok(cp1, 'a checkpoint exists');
  assert.ok(cp1.state.counts.records >= committed1, 'a record-batch event means the records are checkpointed');

  // 2: resumed, killed after ~20 records, on the event right after a record batch.
  const r2 = await runCli(['resume', runDir, '--json'], (_e, all) => {
    const prev = all[all.length - 2];
    return prev?.type === 'record-batch' && prev.total >= 20 ? 'SIGKILL' : undefined;
  });
  assert.equal(r2.signal, 'SIGKILL', `resume 1 ended before the kill: ${r2.stderr}`);

  // 3: resumed, killed on a progress event once 40 records are in.
  const r3 = await runCli(['resume', runDir, '--json'], (e) => (e.type === 'progress' && e.records >= 40 ? 'SIGKILL' : undefined));
  assert.equal(r3.signal, 'SIGKILL', `resume 2 ended before the kill: ${r3.stderr}`);

  // 4: resumed to the end.
  const r4 = await runCli(['resume', runDir, '--json']);
  assert.equal(r4.code, 0, r4.stderr);
  const done = r4.events.find((e) => e.type === 'done');
  assert.equal(done?.type === 'done' ? done.status : undefined, 'completed');

  const records = readJsonl(join(runDir, 'records.jsonl'));
  assert.equal(records.length, 58, 'every valid book, once');
  assert.equal(new Set(records.map((r) => r.upc)).size, 58, 'no duplicated key');
  const failed = readJsonl(join(runDir, 'failed.jsonl'));
  assert.equal(failed.length, 2);
  assert.equal(new Set(failed.map((f) => f.source_url)).size, 2);
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
  assert.equal(manifest.status, 'completed');
  assert.equal(manifest.resumes, 3);
  assert.equal(manifest.counts.records, 58);
  // At most the pages in flight at each kill are fetched again (concurrency 4, three kills).
  const detailFetches = site.requests.slice(firstRequest).filter((r) => isDetail(r.path)).length;
  assert.ok(detailFetches >= 60 && detailFetches <= 60 + 3 * 4, `detail pages fetched ${detailFetches} times`);

  // The run diagnostics count every page once, across the three kills, as a run never killed does.
  const whole = await uninterruptedRun();
  assert.equal(whole.code, 0, whole.stderr);
  const stats = fieldStatsOf(r4);
  assert.deepEqual(stats, fieldStatsOf(whole));
  assert.equal(stats.find((s) => s.field === 'title')?.pages, 60, 'every detail page, once');
  // The manifest keeps the same figures.
  assert.deepEqual(
    manifest.field_stats,
    stats.map((f) => ({ source: f.sourceId, field: f.field, pages: f.pages, pages_unmatched: f.unmatched, records: f.records, records_with_value: f.matched, spec_path: f.specPath })),
  );
  assert.deepEqual(diagnosticsOf(r4), diagnosticsOf(whole));
});

void test('SIGINT finishes the pages in flight, exits 4, and a resume fetches no page twice', { timeout: 60_000 }, async () => {
  const spec = writeSpec('sigint');
  const out = join(work, 'sigint-out');
  const firstRequest = site.requests.length;
  const r1 = await runCli(['run', spec, '--out', out, '--json', '--yes'], (e) => (e.type === 'record-batch' && e.total >= 10 ? 'SIGINT' : undefined));
  assert.equal(r1.code, 4, r1.stderr);
  const runDir = runDirOf(r1);
  const cp = JSON.parse(readFileSync(join(runDir, 'checkpoint.json'), 'utf8')) as Checkpoint<CrawlState>;
  assert.equal(cp.status, 'stopped');
  assert.ok(cp.state.frontier.pending.length > 0, 'work left to resume');
  const stoppedManifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
  assert.equal(stoppedManifest.status, 'stopped');
  const mid = site.requests.length;

  const r2 = await runCli(['resume', runDir, '--json']);
  assert.equal(r2.code, 0, r2.stderr);
  const firstSession = new Set(site.requests.slice(firstRequest, mid).filter((r) => r.path.startsWith('/catalogue/')).map((r) => r.path));
  const secondSession = site.requests.slice(mid).filter((r) => r.path.startsWith('/catalogue/')).map((r) => r.path);
  const refetched = secondSession.filter((p) => firstSession.has(p));
  assert.deepEqual(refetched, [], 'pages fetched before the SIGINT are not fetched again');
  assert.equal(firstSession.size + secondSession.length, 63, 'three listing pages and sixty books, each once');
  const records = readJsonl(join(runDir, 'records.jsonl'));
  assert.equal(records.length, 58);
  assert.equal(new Set(records.map((r) => r.upc)).size, 58);

  const whole = await uninterruptedRun();
  assert.equal(whole.code, 0, whole.stderr);
  assert.deepEqual(fieldStatsOf(r2), fieldStatsOf(whole));
  assert.deepEqual(diagnosticsOf(r2), diagnosticsOf(whole));
});

/** Runs the CLI without blocking this process (the demo site answers from it). */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gleaner ${args.join(' ')} timed out`));
    }, 15_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

void test('exit codes: check errors 1, usage 2, robots verdict with the deciding line', { timeout: 30_000 }, async () => {
  const good = writeSpec('good');
  const ok = spawnSync(process.execPath, [CLI, 'check', good], { env, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);

  const bad = join(work, 'bad.collect.yaml');
  writeFileSync(bad, 'gleaner: 1\nname: bad\nsources: [\n');
  const errs = spawnSync(process.execPath, [CLI, 'check', bad], { env, encoding: 'utf8' });
  assert.equal(errs.status, 1);
  assert.match(errs.stdout, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+ error \\S+ `, 'm'));
  assert.doesNotMatch(errs.stdout + errs.stderr, /\n\s+at /, 'no stack trace');

  const runBad = spawnSync(process.execPath, [CLI, 'run', bad, '--json'], { env, encoding: 'utf8' });
  assert.equal(runBad.status, 1);
  assert.equal(runBad.stdout, '');

  assert.equal(spawnSync(process.execPath, [CLI, 'frobnicate'], { env, encoding: 'utf8' }).status, 2);
  assert.equal(spawnSync(process.execPath, [CLI, 'run', join(work, 'missing.collect.yaml')], { env, encoding: 'utf8' }).status, 2);
  const help = spawnSync(process.execPath, [CLI, '--help'], { env, encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /4 +the run was interrupted/);

  const robots = await cliAsync(['robots', `${site.origin}/cart`, '--agent', 'GleanerBot']);
  assert.equal(robots.status, 0, robots.stderr);
  assert.match(robots.stdout, /disallowed/);
  assert.match(robots.stdout, /line \d+: +Disallow: \/cart/);
  const star = await cliAsync(['robots', `${site.origin}/catalogue/page-1.html`, '--agent', 'SomeBot']);
  assert.match(star.stdout, /crawl-delay: 1s/);
});
