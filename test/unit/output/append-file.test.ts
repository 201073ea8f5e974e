import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AppendOnlyFile, lockRunDir, Redactor, RunLockedError, RunOutput, RUN_FILES, RUN_LOCK_FILE, writeFileAtomic, readJsonFile } from '../../../language-server/src/engine/output';

const dir = mkdtempSync(join(tmpdir(), 'gleaner-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

void describe('AppendOnlyFile', () => {
  void it('appends whole lines and tracks the size', async () => {
    const path = join(dir, 'a.jsonl');
    const f = await AppendOnlyFile.open(path);
    await f.appendLines(['{"a":1}', '{"a":"é"}']);
    await f.sync();
    assert.equal(f.size, Buffer.byteLength('{"a":1}\n{"a":"é"}\n'));
    await f.close();
    assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"a":"é"}\n');
  });

  void it('truncates a torn tail back to the checkpointed offset', async () => {
    const path = join(dir, 'b.jsonl');
    writeFileSync(path, '{"a":1}\n{"a":2}\n{"a":3');
    const f = await AppendOnlyFile.open(path, { truncateTo: 8 });
    assert.equal(f.size, 8);
    await f.appendLines(['{"a":2}']);
    await f.close();
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
    assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), [{ a: 1 }, { a: 2 }]);
  });
});

void describe('writeFileAtomic', () => {
  void it('replaces the file content and leaves no temp file', async () => {
    const path = join(dir, 'state.json');
    await writeFileAtomic(path, '{"n":1}');
    await writeFileAtomic(path, '{"n":2}');
    assert.deepEqual(await readJsonFile(path), { n: 2 });
    assert.equal(await readJsonFile(join(dir, 'missing.json')), undefined);
  });
});

void describe('RunOutput', () => {
  void it('keeps every records and failed line valid JSON when a secret is a number', async () => {
    const runDir = join(dir, 'numeric-secret');
    const redactor = new Redactor();
    redactor.add('48151623');
    const out = await RunOutput.open<{ n: number }>({ runDir, format: 'jsonl', columns: [], neutralizeFormulas: false, redactor, resume: false });
    await out.append(
      [{ key: 48151623, price: 481516230, note: 'key=48151623' }],
      [{ source_id: 's', source_url: 'http://x/?k=48151623', reason: 'invalid', values: { key: 48151623 }, errors: [{ field: 'key', message: 'bad' }] }],
    );
    await out.close();
    const [record] = readFileSync(join(runDir, RUN_FILES.recordsJsonl), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(record, { key: '[REDACTED]', price: 481516230, note: 'key=[REDACTED]' });
    const [failed] = readFileSync(join(runDir, RUN_FILES.failed), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { source_url: string; values: unknown });
    assert.equal(failed.source_url, 'http://x/?k=[REDACTED]');
    assert.deepEqual(failed.values, { key: '[REDACTED]' });
  });

  void it('resumes by truncating records and failed files to the checkpoint', async () => {
    const runDir = join(dir, 'run1');
    const redactor = new Redactor();
    const out = await RunOutput.open<{ n: number }>({ runDir, format: 'jsonl', columns: [], neutralizeFormulas: false, redactor, resume: false });
    await out.append([{ id: 1 }, { id: 2 }], [{ source_id: 's', source_url: 'http://x/', reason: 'invalid', values: { id: 9 }, errors: [{ field: 'id', message: 'bad' }] }]);
    await out.checkpoint({ n: 1 }, 'running', 0);
    await out.append([{ id: 3 }], []);
    await out.close();
    // Simulate a torn write after the uncommitted record.
    appendFileSync(join(runDir, RUN_FILES.recordsJsonl), '{"id":4');
    const resumed = await RunOutput.open<{ n: number }>({ runDir, format: 'jsonl', columns: [], neutralizeFormulas: false, redactor, resume: true });
    assert.deepEqual(resumed.previous?.state, { n: 1 });
    await resumed.append([{ id: 3 }], []);
    await resumed.checkpoint({ n: 2 }, 'completed', 0);
    await resumed.close();
    const ids = readFileSync(join(runDir, RUN_FILES.recordsJsonl), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id);
    assert.deepEqual(ids, [1, 2, 3]);
    assert.equal(readFileSync(join(runDir, RUN_FILES.failed), 'utf8').trim().split('\n').length, 1);
    const cp = await readJsonFile<{ status: string; sequence: number }>(join(runDir, RUN_FILES.checkpoint));
    assert.equal(cp?.status, 'completed');
    assert.equal(cp?.sequence, 2);
  });

  void it('writes CSV with one header across a resume', async () => {
    const runDir = join(dir, 'run2');
    const opts = { runDir, format: 'csv' as const, columns: ['a', 'b'], neutralizeFormulas: true, redactor: new Redactor(), resume: false };
    const out = await RunOutput.open(opts);
    await out.append([{ a: 'x,y', b: '=SUM(A1)' }], []);
    await out.checkpoint({}, 'running', 0);
    await out.close();
    const again = await RunOutput.open({ ...opts, resume: true });
    await again.append([{ a: 1, b: null }], []);
    await again.close();
    assert.equal(readFileSync(join(runDir, RUN_FILES.recordsCsv), 'utf8'), 'a,b\r\n"x,y",\'=SUM(A1)\r\n1,\r\n');
    // The manifest says so, for readers that take the guard off (the editor's Records view).
    assert.deepEqual(again.recordFileEntries(), [{ path: RUN_FILES.recordsCsv, role: 'records', encoding_format: 'text/csv', formula_guard: true }]);
    const unguarded = await RunOutput.open({ ...opts, runDir: join(dir, 'run2-unguarded'), neutralizeFormulas: false });
    assert.equal(unguarded.recordFileEntries()[0]?.formula_guard, false);
    await unguarded.close();
  });

  void it('redacts secrets from records and checkpoints', async () => {
    const runDir = join(dir, 'run3');
    const redactor = new Redactor();
    redactor.add('s3cret-value');
    const out = await RunOutput.open({ runDir, format: 'jsonl', columns: [], neutralizeFormulas: false, redactor, resume: false });
    await out.append([{ url: 'http://x/?key=s3cret-value' }], []);
    await out.checkpoint({ frontier: ['http://x/?key=s3cret-value'] }, 'running', 0);
    await out.close();
    for (const name of [RUN_FILES.recordsJsonl, RUN_FILES.checkpoint]) {
      const text = readFileSync(join(runDir, name), 'utf8');
      assert.ok(!text.includes('s3cret-value'), name);
      assert.ok(text.includes('[REDACTED]'), name);
    }
  });
});

void describe('lockRunDir', () => {
  void it('refuses a second holder and takes over a lock whose process is gone', async () => {
    const runDir = join(dir, 'locked');
    mkdirSync(runDir, { recursive: true });
    const release = await lockRunDir(runDir);
    await assert.rejects(lockRunDir(runDir), RunLockedError);
    await release();
    // A pid far above any real one stands for a process killed with -9.
    writeFileSync(join(runDir, RUN_LOCK_FILE), '4194000');
    const again = await lockRunDir(runDir);
    assert.equal(readFileSync(join(runDir, RUN_LOCK_FILE), 'utf8'), String(process.pid));
    await again();
  });
});
