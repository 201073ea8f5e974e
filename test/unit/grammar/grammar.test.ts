/**
 * The TextMate grammar, tokenized with vscode-textmate and vscode-oniguruma (the engine VS Code
 * itself uses) under plain Node. Each case snapshots the scopes of every token of a few spec
 * lines into `__snapshots__/<case>.json`; `UPDATE_SNAPSHOTS=1` rewrites the snapshots. Beside
 * the snapshots, each case asserts the scopes that matter, so a snapshot accepted by mistake
 * still fails.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const ROOT = resolve(__dirname, '../../..');
const SNAPSHOTS = join(__dirname, '__snapshots__');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const SCOPE = 'source.collection-spec';

interface Token {
  text: string;
  scopes: string[];
}

let grammar: textmate.IGrammar;

before(async () => {
  const wasm = readFileSync(join(ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== SCOPE) return null;
      const path = join(ROOT, 'syntaxes/collection-spec.tmLanguage.json');
      return textmate.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
  });
  const loaded = await registry.loadGrammar(SCOPE);
  assert.ok(loaded, 'the grammar loads');
  grammar = loaded;
});

/** Tokenizes `lines` in order (state carried across lines), dropping the root scope. */
function tokenize(lines: string[]): Token[][] {
  let state = textmate.INITIAL;
  return lines.map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.filter((s) => s !== SCOPE) }));
  });
}

/** Compares with (or, with UPDATE_SNAPSHOTS=1, writes) `__snapshots__/<name>.json`. */
function matchSnapshot(name: string, lines: string[], tokens: Token[][]): void {
  const file = join(SNAPSHOTS, `${name}.json`);
  const actual = lines.map((line, i) => ({ line, tokens: tokens[i].map((t) => `${JSON.stringify(t.text)} ${t.scopes.join(' ')}`) }));
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (UPDATE || !existsSync(file)) {
    assert.ok(UPDATE, `snapshot ${name}.json is missing: run with UPDATE_SNAPSHOTS=1 and review it`);
    writeFileSync(file, text);
    return;
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')), `scopes differ from __snapshots__/${name}.json (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

/** The scopes of the first token whose text is `text` (on line `line` when given, else any). */
function scopesOf(tokens: Token[][], text: string, line?: number): string[] {
  const found = (line === undefined ? tokens.flat() : tokens[line]).find((t) => t.text === text);
  assert.ok(found, `a token "${text}"; tokens: ${JSON.stringify(tokens.flat().map((t) => t.text))}`);
  return found.scopes;
}

/**
 * Asserts that the token `text` has `scope` (or a scope under it). Without `line` the first such
 * token in the case is checked; with `line`, one of the tokens with that text on that line.
 */
function hasScope(tokens: Token[][], text: string, scope: string, line?: number): void {
  const matches = (scopes: string[]): boolean => scopes.some((s) => s === scope || s.startsWith(`${scope}.`));
  if (line !== undefined && tokens[line].some((t) => t.text === text && matches(t.scopes))) return;
  const scopes = scopesOf(tokens, text, line);
  assert.ok(matches(scopes), `"${text}" has ${scope}; got ${scopes.join(' ')}`);
}

void test('keys, comments, scalars, anchors and aliases', () => {
  const lines = [
    '# A spec',
    'gleaner: 1   # format version',
    'name: "demo-books"',
    "description: 'It''s a demo'",
    'owner: ~',
    'records:',
    '  key: [title, upc]',
    'politeness: &polite',
    '  autothrottle: false',
    '  jitter: 0.25',
    'defaults: *polite',
    'notes: |',
    '  Multi-line text with ${env:IN_BLOCK}',
    '  still the block',
    'output: {format: jsonl}',
  ];
  const tokens = tokenize(lines);
  matchSnapshot('yaml-basics', lines, tokens);
  hasScope(tokens, ' A spec', 'comment.line.number-sign.yaml');
  hasScope(tokens, 'gleaner', 'entity.name.tag.yaml');
  hasScope(tokens, '1', 'constant.numeric.integer.yaml');
  hasScope(tokens, ' format version', 'comment.line.number-sign.yaml');
  hasScope(tokens, 'demo-books', 'string.quoted.double.yaml');
  hasScope(tokens, "''", 'constant.character.escape.yaml');
  hasScope(tokens, '~', 'constant.language.null.yaml');
  hasScope(tokens, 'false', 'constant.language.boolean.yaml');
  hasScope(tokens, '0.25', 'constant.numeric.float.yaml');
  hasScope(tokens, 'polite', 'entity.name.type.anchor.yaml');
  hasScope(tokens, '*', 'punctuation.definition.alias.yaml');
  hasScope(tokens, '  still the block', 'string.unquoted.block.yaml');
  hasScope(tokens, 'IN_BLOCK', 'variable.other.reference.collection-spec');
  hasScope(tokens, 'title', 'string.unquoted.plain.yaml');
  hasScope(tokens, 'format', 'entity.name.tag.yaml');
});

void test('CSS selectors in selector: and fallback: values', () => {
  const lines = [
    '    records:',
    '      selector: article.product_pod',
    '      fields:',
    '        title:',
    '          selector: "div.product_main > h1:first-child"',
    '          fallback:',
    '            - "#content h1"',
    "            - 'a[href^=\"/catalogue\"]'",
    '        broken:',
    '          selector: "div["',
    '    follow:',
    '      - selector: li.next a',
  ];
  const tokens = tokenize(lines);
  matchSnapshot('css-selectors', lines, tokens);
  hasScope(tokens, 'article', 'entity.name.tag.css');
  hasScope(tokens, 'product_pod', 'entity.other.attribute-name.class.css');
  hasScope(tokens, ' > ', 'keyword.operator.combinator.css');
  hasScope(tokens, 'first-child', 'entity.other.attribute-name.pseudo-class.css');
  hasScope(tokens, 'content', 'entity.other.attribute-name.id.css');
  hasScope(tokens, 'href', 'entity.other.attribute-name.css');
  hasScope(tokens, '^=', 'keyword.operator.pattern.css');
  hasScope(tokens, '[', 'invalid.illegal.unclosed-attribute-selector.css', 9);
  hasScope(tokens, '[', 'punctuation.definition.entity.begin.bracket.square.css', 7);
  hasScope(tokens, 'next', 'entity.other.attribute-name.class.css');
  // A key that is not a selector key keeps its plain scalar scope.
  hasScope(tokens, 'fields', 'entity.name.tag.yaml');
});

void test('${env:…} and ${secret:…} references anywhere', () => {
  const lines = [
    '      headers:',
    '        X-API-Key: ${env:GLEANER_DEMO_API_KEY}',
    '        Authorization: "Bearer ${secret:API_TOKEN}"',
    "      url: 'https://api.example.org/v1/${env:TENANT}/books'",
    '      bad: ${secret:}',
  ];
  const tokens = tokenize(lines);
  matchSnapshot('references', lines, tokens);
  hasScope(tokens, 'GLEANER_DEMO_API_KEY', 'variable.other.reference.collection-spec');
  hasScope(tokens, 'env', 'support.type.reference-kind.collection-spec');
  hasScope(tokens, 'API_TOKEN', 'variable.other.reference.collection-spec');
  hasScope(tokens, 'secret', 'support.type.reference-kind.collection-spec');
  hasScope(tokens, 'TENANT', 'variable.other.reference.collection-spec');
  hasScope(tokens, '${secret:}', 'invalid.illegal.reference.collection-spec');
});

void test('SPDX expressions in spdx:', () => {
  const lines = ['licence:', '  spdx: (MIT OR Apache-2.0) AND CC-BY-4.0', '  spdx: GPL-2.0+ WITH Classpath-exception-2.0', '  spdx: "LicenseRef-demo-shop"', '  attribution: MIT OR Apache'];
  const tokens = tokenize(lines);
  matchSnapshot('spdx', lines, tokens);
  hasScope(tokens, 'MIT', 'support.constant.license.spdx');
  hasScope(tokens, 'OR', 'keyword.operator.logical.spdx');
  hasScope(tokens, 'AND', 'keyword.operator.logical.spdx');
  hasScope(tokens, 'WITH', 'keyword.operator.logical.spdx');
  hasScope(tokens, '+', 'keyword.operator.or-later.spdx');
  hasScope(tokens, 'LicenseRef-demo-shop', 'support.constant.license-ref.spdx');
  // Outside spdx: the same words are plain text.
  const attribution = tokens[4].find((t) => t.text.includes('Apache'));
  assert.ok(attribution && !attribution.scopes.some((s) => s.includes('spdx')), 'attribution is not highlighted as SPDX');
});

void test('JSONPath in path:, cursor_path:, next_path: and while:', () => {
  const lines = [
    '    records:',
    '      path: $.items[*]',
    '      fields:',
    '        title:',
    '          path: $.title',
    '    pagination:',
    '      cursor_path: "$..next_cursor"',
    "      next_path: $['links'].next",
    '      stop:',
    '        while: $.has_more',
    '      fields: {upc: {path: "$.upc", type: string}, price: {path: $.price}}',
  ];
  const tokens = tokenize(lines);
  matchSnapshot('jsonpath', lines, tokens);
  hasScope(tokens, '$', 'variable.language.root.jsonpath');
  hasScope(tokens, 'items', 'variable.other.member.jsonpath');
  hasScope(tokens, '*', 'keyword.operator.wildcard.jsonpath');
  hasScope(tokens, '..', 'keyword.operator.descendant.jsonpath');
  hasScope(tokens, "'links'", 'string.quoted.member-name.jsonpath');
  hasScope(tokens, 'has_more', 'variable.other.member.jsonpath');
  // In flow mappings too.
  hasScope(tokens, 'upc', 'variable.other.member.jsonpath', 10);
  hasScope(tokens, 'price', 'variable.other.member.jsonpath', 10);
  hasScope(tokens, 'string', 'string.unquoted.plain.yaml', 10);
});

void test('URLs, durations and sizes', () => {
  const lines = [
    'start_urls:',
    '  - http://127.0.0.1:8917/catalogue/page-1.html',
    'politeness:',
    '  delay: 500ms',
    '  max_response_size: 10MB',
    '  timeouts:',
    '    request: 1.5s',
    '  budget: {time: 30m}',
    'description: see https://example.org/terms.',
  ];
  const tokens = tokenize(lines);
  matchSnapshot('urls-durations-sizes', lines, tokens);
  hasScope(tokens, 'http://127.0.0.1:8917/catalogue/page-1.html', 'markup.underline.link.collection-spec');
  hasScope(tokens, '500ms', 'constant.numeric.duration.collection-spec');
  hasScope(tokens, '10MB', 'constant.numeric.size.collection-spec');
  hasScope(tokens, '1.5s', 'constant.numeric.duration.collection-spec');
  hasScope(tokens, '30m', 'constant.numeric.duration.collection-spec');
  // The full stop ending a sentence is not part of the link.
  hasScope(tokens, 'https://example.org/terms', 'markup.underline.link.collection-spec');
});

void test('the committed grammar JSON is what syntaxes/generate-grammar.mjs generates', async () => {
  const generator = (await import(pathToFileURL(join(ROOT, 'syntaxes/generate-grammar.mjs')).href)) as { buildGrammar(): unknown };
  const committed: unknown = JSON.parse(readFileSync(join(ROOT, 'syntaxes/collection-spec.tmLanguage.json'), 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(generator.buildGrammar())), 'run `node syntaxes/generate-grammar.mjs`');
});
