/**
 * Reading a run's manifest for the editor: what the Records view needs to know about the records
 * file. The runs here are written by the engine's own output layer, so the reader is tested
 * against exactly what a run records.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Redactor, RunOutput } from '../../../language-server/src/engine/output';
import { readRunInfo } from '../../../extension/src/run-history';

const dir = mkdtempSync(join(tmpdir(), 'gleaner-run-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A run directory whose manifest lists the records file as the engine describes it. */
async function runWithCsv(name: string, neutralizeFormulas: boolean): Promise<string> {
  const runDir = join(dir, name);
  const output = await RunOutput.open({ runDir, format: 'csv', columns: ['note'], neutralizeFormulas, redactor: new Redactor(), resume: false });
  const files = output.recordFileEntries().map((entry) => ({ ...entry, bytes: 0, sha256: '' }));
  await output.close();
  writeFileSync(join(runDir, 'manifest.json'), JSON.stringify({ manifest_version: 1, run_id: name, status: 'completed', counts: {}, spec: {}, files }));
  return runDir;
}

describe('readRunInfo', () => {
  test('says whether the CSV records file carries formula guards', async () => {
    const guarded = await readRunInfo(await runWithCsv('guarded', true));
    assert.equal(guarded?.files.records, 'records.csv');
    assert.equal(guarded?.formulaGuard, true);
    assert.equal((await readRunInfo(await runWithCsv('plain', false)))?.formulaGuard, false);
  });

  test('a manifest from before formula_guard was written reads as unguarded', async () => {
    const runDir = join(dir, 'older');
    await runWithCsv('older', true);
    writeFileSync(join(runDir, 'manifest.json'), JSON.stringify({ manifest_version: 1, run_id: 'older', files: [{ path: 'records.csv', role: 'records' }] }));
    assert.equal((await readRunInfo(runDir))?.formulaGuard, false);
  });
});
