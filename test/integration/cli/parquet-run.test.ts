// `output.format: parquet` through the built CLI against the demo site: a run stopped with SIGINT
// leaves a records.parquet that matches its JSON Lines working file; a resume killed with -9
// leaves no Parquet file (never a torn one); the final resume writes records.parquet holding
// every valid book once, typed, with flattened provenance, listed in manifest.json with its
// SHA-256 and in croissant.json as an application/x-parquet FileObject. Failed records stay JSONL.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { SchemaElement } from 'hyparquet' with { 'resolution-mode': 'import' };
import { DEMO_CREDENTIALS, startDemoSite } from '../../../language-server/src/demo-site/index';
import type { RunEvent, RunManifest } from '../../../language-server/src/engine/index';
import { runCliChild, type ChildRun, type SignalOnEvent } from '../../support/cli-child';
import { demoEnvFrom, exampleSpecText, readJsonl, ROOT } from '../crawl/support';

let site: Awaited<ReturnType<typeof startDemoSite>>;
const work = mkdtempSync(join(tmpdir(), 'gleaner-cli-parquet-'));
// The CLI is built from esbuild.mjs's own targets (what `npm run build` writes to dist/), into a
// folder of this test's: other test files rebuild dist/cli.js while tests run in parallel.
const bin = join(work, 'bin');
const CLI = join(bin, 'cli.js');
const env = { ...process.env, ...demoEnvFrom(DEMO_CREDENTIALS) };

interface BuildTargets {
  nodeOptions: (production: boolean) => BuildOptions;
  serverTargetsWith: (options: BuildOptions) => BuildOptions[];
  cliTargetWith: (options: BuildOptions) => BuildOptions;
}
const buildTargets = async (): Promise<BuildTargets> => (await import(pathToFileURL(join(ROOT, 'esbuild.mjs')).href)) as BuildTargets;

before(async () => {
  const esbuild = await import('esbuild');
  const targets = await buildTargets();
  const options = targets.nodeOptions(false);
  // The CLI loads the shared HTTP client bundle (undici) from beside itself.
  const httpClient = targets.serverTargetsWith(options).find((t) => String(t.outfile).endsWith('undici-client.js'));
  assert.ok(httpClient, 'esbuild.mjs has the shared HTTP client target');
  await esbuild.build({ ...httpClient, absWorkingDir: ROOT, outfile: join(bin, 'undici-client.js'), logLevel: 'warning' });
  await esbuild.build({ ...targets.cliTargetWith(options), absWorkingDir: ROOT, outfile: CLI, logLevel: 'warning' });
  site = await startDemoSite({ port: 0 });
});
after(async () => {
  await site?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The books example as a Parquet run, with a date, a boolean and a list field added to the detail pages. */
function writeSpec(): string {
  const text = exampleSpecText('books.collect.yaml', site.origin)
    .replace(/^(\s*)format: jsonl$/m, '$1format: parquet')
    .replace(
      /^(\s*)type: url\n/m,
      (line, indent: string) => {
        const field = indent.slice(2);
        return `${line}${field}updated:\n${indent}selector: footer p\n${indent}regex: 'last updated (.+ GMT)'\n${indent}type: date\n` +
          `${field}crumbs:\n${indent}selector: ul.breadcrumb li\n${indent}all: true\n` +
          `${field}reviewed:\n${indent}selector: table.table-striped tr:last-child td\n${indent}type: boolean\n`;
      },
    );
  assert.match(text, /format: parquet/);
  assert.match(text, /crumbs:/);
  const path = join(work, 'books-parquet.collect.yaml');
  writeFileSync(path, text);
  return path;
}

/** Runs the built CLI; `onEvent` may name a signal to send (once). */
function runCli(args: string[], onEvent: SignalOnEvent = () => undefined, timeoutMs = 30_000): Promise<ChildRun> {
  return runCliChild(CLI, env, args, onEvent, timeoutMs);
}

async function readParquet(path: string): Promise<{ schema: SchemaElement[]; rows: Record<string, unknown>[] }> {
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { schema: parquetMetadata(file).schema, rows: await parquetReadObjects({ file }) };
}

/** `type/converted_type` of a column's leaf (`…/list` for a LIST), asserting it is nullable. */
function typeOf(schema: SchemaElement[], name: string): string {
  const i = schema.findIndex((e) => e.name === name);
  assert.ok(i > 0, `no column ${name}`);
  const list = schema[i].converted_type === 'LIST';
  const leaf = list ? schema[i + 2] : schema[i];
  assert.equal(schema[i].repetition_type, 'OPTIONAL', `${name} is nullable`);
  return [leaf.type, leaf.converted_type, list ? 'list' : undefined].filter((x) => x !== undefined).join('/');
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** records.parquet holds exactly the records of records.jsonl, typed, provenance flattened. */
async function assertParquetMatchesJsonl(runDir: string): Promise<Record<string, unknown>[]> {
  const jsonl = readJsonl(join(runDir, 'records.jsonl'));
  const { schema, rows } = await readParquet(join(runDir, 'records.parquet'));
  assert.equal(rows.length, jsonl.length);
  rows.forEach((row, i) => {
    const r = jsonl[i];
    const src = r._source as Record<string, unknown>;
    assert.equal(row.title, r.title);
    assert.equal(row.upc, r.upc);
    assert.equal(row.price, r.price);
    assert.equal(row.availability, r.availability == null ? null : BigInt(r.availability as number));
    assert.equal(row.rating, r.rating);
    assert.equal(row.sentiment, r.sentiment);
    assert.equal(row.url, r.url);
    assert.deepEqual(row.updated, new Date(r.updated as string));
    assert.deepEqual(row.crumbs, r.crumbs);
    assert.equal(row.reviewed, r.reviewed);
    assert.equal(row._source_url, src.url);
    assert.deepEqual(row._fetched_at, new Date(src.fetched_at as string));
    assert.equal(row._source_status, BigInt(src.status as number));
    assert.equal(row._source_content_sha256, src.content_sha256);
    assert.equal(row._source_id, 'book');
  });
  assert.deepEqual(
    Object.fromEntries(['title', 'price', 'availability', 'updated', 'crumbs', 'reviewed', 'sentiment', 'url', '_fetched_at', '_source_status'].map((c) => [c, typeOf(schema, c)])),
    {
      title: 'BYTE_ARRAY/UTF8',
      price: 'DOUBLE',
      availability: 'INT64',
      updated: 'INT64/TIMESTAMP_MILLIS',
      crumbs: 'BYTE_ARRAY/UTF8/list',
      reviewed: 'BOOLEAN',
      sentiment: 'BYTE_ARRAY/UTF8',
      url: 'BYTE_ARRAY/UTF8',
      _fetched_at: 'INT64/TIMESTAMP_MILLIS',
      _source_status: 'INT64',
    },
  );
  return rows;
}

/** The manifest lists records.parquet (records) and records.jsonl (working-records) with their real hashes. */
function assertManifestFiles(runDir: string): RunManifest {
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
  const byPath = new Map(manifest.files.map((f) => [f.path, f]));
  const parquet = byPath.get('records.parquet');
  assert.ok(parquet, 'manifest lists records.parquet');
  assert.equal(parquet.role, 'records');
  assert.equal(parquet.encoding_format, 'application/x-parquet');
  assert.equal(parquet.sha256, sha256(join(runDir, 'records.parquet')));
  assert.equal(parquet.bytes, readFileSync(join(runDir, 'records.parquet')).length);
  const working = byPath.get('records.jsonl');
  assert.equal(working?.role, 'working-records');
  assert.equal(working?.sha256, sha256(join(runDir, 'records.jsonl')));
  assert.equal(byPath.get('failed.jsonl')?.encoding_format, 'application/jsonlines');
  return manifest;
}

void test('a Parquet run: stopped, killed while resuming, resumed to the end', { timeout: 90_000 }, async () => {
  const spec = writeSpec();
  const out = join(work, 'runs');

  // 1: SIGINT once a few records are in: the stopped run has a Parquet file of what it committed.
  const r1 = await runCli(['run', spec, '--out', out, '--json', '--yes'], (e) => (e.type === 'record-batch' && e.total >= 10 ? 'SIGINT' : undefined));
  assert.equal(r1.code, 4, r1.stderr);
  const start = r1.events.find((e): e is Extract<RunEvent, { type: 'start' }> => e.type === 'start');
  assert.ok(start, `no start event; stderr: ${r1.stderr}`);
  const runDir = start.runDir;
  const stopped = await assertParquetMatchesJsonl(runDir);
  assert.ok(stopped.length >= 10 && stopped.length < 58, `${stopped.length} records before the stop`);
  assert.equal(assertManifestFiles(runDir).status, 'stopped');

  // 2: a resume killed with -9 mid-crawl: the stale Parquet file is gone and no torn one is left.
  const r2 = await runCli(['resume', runDir, '--json'], (e) => (e.type === 'record-batch' ? 'SIGKILL' : undefined));
  assert.equal(r2.signal, 'SIGKILL', `the resume ended before the kill: ${r2.stderr}`);
  assert.equal(existsSync(join(runDir, 'records.parquet')), false);

  // 3: resumed to the end.
  const r3 = await runCli(['resume', runDir, '--json']);
  assert.equal(r3.code, 0, r3.stderr);
  const done = r3.events.find((e) => e.type === 'done');
  assert.ok(done?.type === 'done');
  assert.equal(done.status, 'completed');
  assert.equal(done.summary.files.records, join(runDir, 'records.parquet'));

  const rows = await assertParquetMatchesJsonl(runDir);
  assert.equal(rows.length, 58, 'every valid book');
  assert.equal(new Set(rows.map((r) => r.upc)).size, 58, 'each once');
  assert.ok(rows.every((r) => Array.isArray(r.crumbs) && (r.crumbs as unknown[]).length >= 3), 'the breadcrumb list of every book');
  assert.ok(rows.every((r) => r.reviewed === false), 'the "0 reviews" cell as a boolean');
  const manifest = assertManifestFiles(runDir);
  assert.equal(manifest.status, 'completed');
  assert.equal(manifest.counts.records, 58);

  // Failed records stay JSON Lines, with their reasons.
  const failed = readJsonl(join(runDir, 'failed.jsonl'));
  assert.equal(failed.length, 2);
  assert.ok(failed.every((f) => typeof f.reason === 'string' && Array.isArray(f.errors)));

  // Croissant: the Parquet file is the records FileObject, with the manifest's hash, read by column.
  const croissant = JSON.parse(readFileSync(join(runDir, 'croissant.json'), 'utf8')) as {
    distribution: Record<string, unknown>[];
    recordSet: { field: { name: string; source: unknown }[] }[];
  };
  const fileObject = croissant.distribution.find((d) => d.contentUrl === 'records.parquet');
  assert.ok(fileObject, 'croissant lists records.parquet');
  assert.equal(fileObject['@type'], 'cr:FileObject');
  assert.equal(fileObject.encodingFormat, 'application/x-parquet');
  assert.equal(fileObject.sha256, manifest.files.find((f) => f.path === 'records.parquet')?.sha256);
  const price = croissant.recordSet[0].field.find((f) => f.name === 'price');
  assert.deepEqual(price?.source, { fileObject: { '@id': 'records.parquet' }, extract: { column: 'price' } });

  // No temporary file of an atomic replace is left behind.
  assert.deepEqual(readdirSync(runDir).filter((n) => n.endsWith('.tmp')), []);
});

void test('the Parquet writer is in the CLI bundle only: the language server never writes runs', async () => {
  const esbuild = await import('esbuild');
  const targets = await buildTargets();
  const options = targets.nodeOptions(true);
  // The files that put bytes into the bundle (the metafile's inputs also list tree-shaken ones).
  const inputsOf = async (target: BuildOptions): Promise<string[]> => {
    const { metafile } = await esbuild.build({ ...target, absWorkingDir: ROOT, metafile: true, write: false, logLevel: 'silent' });
    return Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path));
  };
  const server = targets.serverTargetsWith(options).find((t) => String(t.outfile).endsWith('server.js'));
  assert.ok(server, 'esbuild.mjs has the server target');
  assert.deepEqual((await inputsOf(server)).filter((p) => p.includes('hyparquet')), []);
  assert.ok((await inputsOf(targets.cliTargetWith(options))).some((p) => p.includes('node_modules/hyparquet-writer/')));
});
