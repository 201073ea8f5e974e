import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseSpec } from '../../../language-server/src/engine/spec';
import { DiagnosticsPublisher } from '../../../language-server/src/server/diagnostics-publisher';
import { editDelay, MIN_DELAY_MS } from '../../../language-server/src/server/features/diagnostics';
import { inProcessValidator, validateText, workerValidator, type ValidationOutput, type Validator } from '../../../language-server/src/server/validator';
import { changedRegion, FRESH_PARSE_CHARS, SpecCache } from '../../../language-server/src/server/spec-cache';

const log = { error: () => undefined, warn: () => undefined, info: () => undefined, log: () => undefined };
const URI = 'file:///w/a.collect.yaml';

/** A validator whose answers the test releases one by one, to play out races. */
function manualValidator() {
  const calls: { version: number; release: () => void }[] = [];
  const validator: Validator = {
    validate: (_uri, version, text) =>
      new Promise<ValidationOutput>((resolve) => {
        calls.push({ version, release: () => resolve(validateText(URI, version, text)) });
      }),
    dispose: async () => undefined,
  };
  return { validator, calls };
}

function setup(validator: Validator = inProcessValidator()) {
  const docs = new Map<string, TextDocument>();
  const sent: PublishDiagnosticsParams[] = [];
  const publisher = new DiagnosticsPublisher((p) => sent.push(p), { get: (uri) => docs.get(uri) }, validator, log);
  const set = (version: number, text: string): void => {
    docs.set(URI, TextDocument.create(URI, 'gleaner-spec', version, text));
  };
  return { docs, sent, publisher, set };
}

/** Lets queued promise callbacks run (bounded: a fixed number of turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

void describe('DiagnosticsPublisher', () => {
  void it('publishes the parser findings with the document version', async () => {
    const t = setup();
    t.set(3, 'politness: {}\n');
    await t.publisher.validate(URI);
    assert.equal(t.sent.length, 1);
    assert.equal(t.sent[0]!.version, 3);
    assert.ok(t.sent[0]!.diagnostics.some((d) => d.code === 'unknown-key' && d.source === 'gleaner'));
  });

  void it('waits after an edit in proportion to the size of the document, within bounds', () => {
    assert.equal(editDelay(30, 150), MIN_DELAY_MS);
    assert.equal(editDelay(5_000, 150), MIN_DELAY_MS);
    assert.equal(editDelay(20_000, 150), 100);
    assert.equal(editDelay(50_000, 150), 150);
  });

  void it('drops a result for a version the user has typed past, and validates the latest next', async () => {
    const { validator, calls } = manualValidator();
    const t = setup(validator);
    t.set(1, 'name: a\n');
    const first = t.publisher.validate(URI);
    await settle();
    t.set(2, 'name: b\n');
    const second = t.publisher.validate(URI);
    t.set(3, 'politness: {}\n');
    void t.publisher.validate(URI);
    assert.equal(calls.length, 1, 'one validation at a time per document');
    calls[0]!.release();
    await settle();
    assert.equal(t.sent.length, 0, 'version 1 is stale when it returns');
    const rerun = calls.slice(1);
    assert.equal(rerun.length, 1);
    assert.equal(rerun[0]!.version, 3, 'the coalesced re-run validates the newest version');
    rerun[0]!.release();
    await Promise.all([first, second]);
    assert.deepEqual(
      t.sent.map((p) => p.version),
      [3],
    );
  });

  void it('never republishes a version once a newer one exists', async () => {
    const t = setup();
    t.set(1, 'name: x\n');
    await t.publisher.validate(URI);
    t.set(2, 'name: y\n');
    // A robots answer for version 1 arrives after the user typed: nothing is sent for version 1.
    t.publisher.republish(URI);
    assert.deepEqual(
      t.sent.map((p) => p.version),
      [1],
    );
    await t.publisher.validate(URI);
    assert.deepEqual(
      t.sent.map((p) => p.version),
      [1, 2],
    );
  });

  void it('merges contributions, and isolates a failing contributor', async () => {
    const t = setup();
    t.publisher.addContributor(() => {
      throw new Error('boom');
    });
    t.publisher.addContributor(() => [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'extra', code: 'robots-allowed' }]);
    t.set(1, 'name: x\n');
    await t.publisher.validate(URI);
    assert.ok(t.sent[0]!.diagnostics.some((d) => d.code === 'robots-allowed'));
  });

  void it('clears a closed document and ignores validations of unknown ones', async () => {
    const t = setup();
    await t.publisher.validate('file:///nope');
    t.publisher.clear(URI);
    assert.deepEqual(t.sent, [{ uri: URI, diagnostics: [] }]);
  });
});

void describe('SpecCache views for requests between edits', () => {
  // Padded past FRESH_PARSE_CHARS: smaller documents are simply re-parsed for each request.
  const TEXT = 'gleaner: 1\nname: x\nlicence:\n  spdx: MIT\noutput:\n  format: csv\n# ' + 'x'.repeat(FRESH_PARSE_CHARS) + '\n';

  void it('finds the smallest changed region', () => {
    assert.deepEqual(changedRegion('abcdef', 'abXYef'), { start: 2, oldEnd: 4, newEnd: 4 });
    assert.deepEqual(changedRegion('abc', 'abc'), { start: 3, oldEnd: 3, newEnd: 3 });
    assert.deepEqual(changedRegion('aa', 'aaa'), { start: 2, oldEnd: 2, newEnd: 3 });
  });

  void it('answers from the previous parse, shifting positions after an inserted line, without parsing', () => {
    let parses = 0;
    const cache = new SpecCache((text) => {
      parses++;
      return parseSpec(text);
    });
    const v1 = TextDocument.create(URI, 'gleaner-spec', 1, TEXT);
    cache.get(v1);
    const v2 = TextDocument.create(URI, 'gleaner-spec', 2, TEXT.replace('name: x\n', 'name: x\ndescr\n'));
    const view = cache.forRequest(v2);
    assert.equal(parses, 1, 'no re-parse for a small edit');
    assert.deepEqual(view.locate.pathAt({ line: 4, character: 3 }), ['licence', 'spdx']);
    assert.deepEqual(view.locate.keyRange(['output']), { start: { line: 5, character: 0 }, end: { line: 5, character: 6 } });
    assert.deepEqual(view.locate.pathAt({ line: 2, character: 2 }), ['name'], 'inside the edit: read where the old text was');
    // The real parse agrees with the view outside the edit.
    const fresh = cache.get(v2);
    assert.equal(parses, 2);
    assert.deepEqual(fresh.locate.keyRange(['output']), view.locate.keyRange(['output']));
  });

  void it('maps through edits far apart, as TextDocuments applied them, without parsing', () => {
    let parses = 0;
    const cache = new SpecCache((text) => {
      parses++;
      return parseSpec(text);
    });
    let doc = TextDocument.create(URI, 'gleaner-spec', 1, TEXT);
    cache.get(doc);
    // One edit near the top, one in the padding at the bottom, 200 kB apart.
    doc = cache.update(doc, [{ range: { start: { line: 1, character: 6 }, end: { line: 1, character: 7 } }, text: 'longer-name' }], 2);
    doc = cache.update(doc, [{ range: { start: { line: 6, character: 100 }, end: { line: 6, character: 100 } }, text: '\nextra: 1' }], 3);
    const view = cache.forRequest(doc);
    assert.equal(parses, 1);
    assert.deepEqual(view.locate.keyRange(['output']), { start: { line: 4, character: 0 }, end: { line: 4, character: 6 } });
    assert.deepEqual(view.locate.valueRange(['name']), { start: { line: 1, character: 6 }, end: { line: 1, character: 17 } }, 'widened over the edit');
    assert.deepEqual(view.locate.pathAt({ line: 3, character: 4 }), ['licence', 'spdx']);
  });

  void it('parses afresh when the change is too large to map', () => {
    let parses = 0;
    const cache = new SpecCache((text) => {
      parses++;
      return parseSpec(text);
    });
    cache.get(TextDocument.create(URI, 'gleaner-spec', 1, TEXT));
    cache.forRequest(TextDocument.create(URI, 'gleaner-spec', 2, TEXT.replace('name: x', 'name: x\n#' + 'y'.repeat(70_000))));
    assert.equal(parses, 2);
  });

  void it('re-asks a fresh parse when the mapped view has no answer', () => {
    let parses = 0;
    const cache = new SpecCache((text) => {
      parses++;
      return parseSpec(text);
    });
    cache.get(TextDocument.create(URI, 'gleaner-spec', 1, TEXT));
    const v2 = TextDocument.create(URI, 'gleaner-spec', 2, TEXT.replace('name: x\n', 'name: x\nowner: me\n'));
    const inside = { line: 2, character: 2 };
    assert.deepEqual(
      cache.answer(v2, (r) => r.locate.pathAt(inside).filter((seg) => seg === 'owner'), (p) => p.length === 0),
      ['owner'],
    );
    assert.equal(parses, 2);
    // Outside the edit the view answers without parsing.
    const v3 = TextDocument.create(URI, 'gleaner-spec', 3, TEXT.replace('name: x\n', 'name: x\nowner: you\n'));
    assert.deepEqual(
      cache.answer(v3, (r) => r.locate.pathAt({ line: 0, character: 2 }), (p) => p.length === 0),
      ['gleaner'],
    );
    assert.equal(parses, 2);
  });
});

void describe('workerValidator', () => {
  void it('falls back to validating in-process when the worker cannot start', async () => {
    const errors: string[] = [];
    const validator = workerValidator('/nonexistent/gleaner-server.js', { ...log, error: (m: string) => errors.push(m) });
    try {
      const output = await validator.validate(URI, 4, 'politness: {}\n');
      assert.equal(output.version, 4);
      assert.ok(output.diagnostics.some((d) => d.code === 'unknown-key'));
      assert.match(errors.join('\n'), /validation worker stopped/);
    } finally {
      await validator.dispose();
    }
  });
});
