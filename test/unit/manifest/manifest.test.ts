/**
 * package.json is a contract with the code: every contributed command has a handler and every
 * handler is contributed; every setting is declared and read; every `when` clause names real
 * context keys, views, languages and tree item kinds; every file the manifest points at exists.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../../language-server/src/protocol';

const ROOT = resolve(__dirname, '../../..');

interface Contributes {
  commands: { command: string; title: string; category?: string; enablement?: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
  configuration: { properties: Record<string, { type: string; default?: unknown }> };
  languages: { id: string; configuration?: string; icon?: { light: string; dark: string } }[];
  grammars: { language: string; scopeName: string; path: string }[];
  views: Record<string, { id: string; icon?: string }[]>;
  viewsContainers: { activitybar: { id: string; icon: string }[] };
  viewsWelcome: { view: string; contents: string; when?: string }[];
  yamlValidation: { fileMatch: string[]; url: string }[];
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  icon: string;
  activationEvents?: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: Contributes;
};
const contributes = pkg.contributes;

function sources(dir: string): { file: string; text: string }[] {
  const full = join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(full, f), 'utf8') }));
}

const extension = sources('extension/src');
const extensionText = extension.map((s) => s.text).join('\n');
const serverText = sources('language-server/src/server').map((s) => s.text).join('\n');

/** Command ids registered in the extension: `register('id', …)`, `registerCommand('id', …)` or `COMMANDS.x`. */
function registeredCommands(): Set<string> {
  const ids = new Set<string>();
  for (const m of extensionText.matchAll(/register(?:Command)?\(\s*'(gleaner\.[\w.]+)'/g)) ids.add(m[1]);
  for (const m of extensionText.matchAll(/register(?:Command)?\(\s*COMMANDS\.(\w+)/g)) {
    const id = (COMMANDS as Record<string, string>)[m[1]];
    assert.ok(id, `COMMANDS.${m[1]} exists in the protocol module`);
    ids.add(id);
  }
  return ids;
}

const contributedCommands = contributes.commands.map((c) => c.command);

void test('every contributed command is registered, and every registered command is contributed', () => {
  const registered = registeredCommands();
  assert.ok(registered.size >= 12, `found ${registered.size} registrations`);
  assert.deepEqual(contributedCommands.filter((id) => !registered.has(id)), [], 'contributed without a handler');
  assert.deepEqual([...registered].filter((id) => !contributedCommands.includes(id)).sort(), [], 'registered but not contributed');
});

void test('the commands the brief asks for are there, named gleaner.verbNoun, in the Gleaner category', () => {
  const titles = new Map(contributes.commands.map((c) => [c.title, c.command]));
  for (const title of ['New Collection Spec', 'Preview Source', 'Run Collection', 'Stop Run', 'Resume Run', 'Check robots.txt for a URL', 'Open Last Output', 'Open Datasheet', 'Set Secret', 'Clear Secret', 'Restart Language Server', 'Show Output']) {
    assert.ok(titles.has(title), `a command titled "${title}"`);
  }
  for (const c of contributes.commands) {
    assert.match(c.command, /^gleaner\.[a-z]+[A-Z][A-Za-z]*$/, `${c.command} is gleaner.verbNoun`);
    assert.equal(c.category, 'Gleaner', `${c.command} has the Gleaner category`);
  }
});

void test('the server\'s CodeLens commands are contributed', () => {
  for (const id of Object.values(COMMANDS)) assert.ok(contributedCommands.includes(id), `${id} contributed`);
});

void test('every menu item and welcome link names a contributed command', () => {
  for (const [menu, items] of Object.entries(contributes.menus)) {
    for (const item of items) assert.ok(contributedCommands.includes(item.command), `${menu}: ${item.command}`);
  }
  for (const welcome of contributes.viewsWelcome) {
    for (const m of welcome.contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(contributedCommands.includes(m[1]), `welcome link ${m[1]}`);
  }
});

/** True when the setting `gleaner.<rest>` is read by the extension or the server. */
function isRead(rest: string): boolean {
  const literal = new RegExp(`\\.get(?:<[^>]*>)?\\(\\s*'${rest.replace(/\./g, '\\.')}'`);
  if (literal.test(extensionText)) return true;
  // vscode-languageclient reads `<clientId>.trace.server` itself.
  if (rest === 'trace.server') return /CLIENT_ID = 'gleaner'/.test(extensionText) && /new LanguageClient\(CLIENT_ID/.test(extensionText);
  // The server reads the whole section through workspace/configuration and walks the object.
  const [head, ...tail] = rest.split('.');
  return new RegExp(`\\b${head}\\??\\.${tail.join('\\??\\.')}\\b`).test(serverText);
}

void test('every declared setting is read somewhere', () => {
  const declared = Object.keys(contributes.configuration.properties);
  for (const key of ['gleaner.network.enabled', 'gleaner.trace.server', 'gleaner.run.outputDirectory', 'gleaner.preview.maxBytes']) assert.ok(declared.includes(key), `${key} declared`);
  for (const key of declared) {
    assert.match(key, /^gleaner\.[a-z]+\.[a-zA-Z]+$/, `${key} is gleaner.area.key`);
    assert.ok(isRead(key.slice('gleaner.'.length)), `${key} is read`);
  }
});

void test('every setting the extension reads is declared', () => {
  const declared = new Set(Object.keys(contributes.configuration.properties));
  const reads = new Set<string>();
  for (const { text } of extension) {
    if (!text.includes("getConfiguration('gleaner'")) continue;
    for (const m of text.matchAll(/\.get(?:<[^>]*>)?\(\s*'([a-z]+\.[A-Za-z.]+)'/g)) reads.add(`gleaner.${m[1]}`);
  }
  assert.ok(reads.size >= 3, `found ${reads.size} reads`);
  for (const key of reads) assert.ok(declared.has(key), `${key} is declared`);
});

void test('restricted settings are declared, and untrusted workspaces are limited', () => {
  const untrusted = pkg.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  const declared = Object.keys(contributes.configuration.properties);
  assert.ok((untrusted.restrictedConfigurations ?? []).length > 0);
  for (const key of untrusted.restrictedConfigurations ?? []) assert.ok(declared.includes(key), `${key} declared`);
});

/** Context keys the extension sets with setContext (through a constant or a literal). */
function customContextKeys(): Set<string> {
  const keys = new Set<string>();
  for (const m of extensionText.matchAll(/_CONTEXT_KEY = '([\w.]+)'/g)) keys.add(m[1]);
  for (const m of extensionText.matchAll(/'setContext',\s*'([\w.]+)'/g)) keys.add(m[1]);
  return keys;
}

void test('when clauses name real context keys, views, languages and tree items', () => {
  const builtIn = new Set(['editorLangId', 'resourceLangId', 'view', 'viewItem', 'isWorkspaceTrusted', 'workbenchState']);
  const custom = customContextKeys();
  assert.ok(custom.has('gleaner.runActive'), 'gleaner.runActive is set by the extension');
  const views = new Set(Object.values(contributes.views).flat().map((v) => v.id));
  const languages = new Set(contributes.languages.map((l) => l.id));
  const viewItems = new Set([...extensionText.matchAll(/contextValue = '([\w.]+)'/g)].map((m) => m[1]));
  const allowedValues: Record<string, Set<string>> = {
    view: views,
    viewItem: viewItems,
    editorLangId: languages,
    resourceLangId: languages,
    workbenchState: new Set(['empty', 'folder', 'workspace']),
  };
  const clauses = [
    ...Object.values(contributes.menus).flat().map((i) => i.when),
    ...contributes.commands.map((c) => c.enablement),
    ...contributes.viewsWelcome.map((w) => w.when),
  ].filter((w): w is string => typeof w === 'string');
  assert.ok(clauses.length > 5);
  for (const clause of clauses) {
    for (const m of clause.matchAll(/([A-Za-z][\w.]*)\s*(==|!=)\s*([\w.-]+)/g)) {
      const [, key, , value] = m;
      assert.ok(allowedValues[key], `${key} is compared in "${clause}"`);
      assert.ok(allowedValues[key].has(value), `"${value}" is a real ${key} (in "${clause}")`);
    }
    const bare = clause.replace(/([A-Za-z][\w.]*)\s*(==|!=)\s*([\w.-]+)/g, '').match(/[A-Za-z][\w.]*/g) ?? [];
    for (const key of bare) {
      if (key === 'true' || key === 'false') continue;
      assert.ok(builtIn.has(key) || custom.has(key), `context key ${key} (in "${clause}") is built in or set by the extension`);
    }
  }
});

void test('activation is derived from contributions, never *', () => {
  const events = pkg.activationEvents ?? [];
  assert.ok(!events.includes('*'));
  assert.ok(events.every((e) => !e.startsWith('onStartupFinished')));
  assert.ok(events.includes('workspaceContains:**/*.collect.{yaml,yml}'));
});

void test('the language, grammar, icons and build output the manifest names are where it says', () => {
  const language = contributes.languages.find((l) => l.id === 'collection-spec');
  assert.ok(language);
  const files = [
    language.configuration,
    language.icon?.light,
    language.icon?.dark,
    ...contributes.grammars.map((g) => g.path),
    ...contributes.viewsContainers.activitybar.map((c) => c.icon),
    pkg.icon,
  ];
  for (const file of files) {
    assert.ok(file, 'path given');
    assert.ok(existsSync(join(ROOT, file)), `${file} exists`);
  }
  const grammar = JSON.parse(readFileSync(join(ROOT, contributes.grammars[0].path), 'utf8')) as { scopeName: string };
  assert.equal(grammar.scopeName, contributes.grammars[0].scopeName);
  assert.equal(contributes.grammars[0].language, 'collection-spec');
  JSON.parse(readFileSync(join(ROOT, language.configuration!), 'utf8'));
  // `main` is build output: check that the one build script writes it.
  assert.match(readFileSync(join(ROOT, 'esbuild.mjs'), 'utf8'), new RegExp(`outfile: '${pkg.main.replace(/^\.\//, '')}'`));
});

void test('yamlValidation points at the committed JSON Schema for both spec globs', () => {
  const validation = contributes.yamlValidation[0];
  assert.deepEqual(validation.fileMatch, ['*.collect.yaml', '*.collect.yml']);
  assert.equal(validation.url, './schema/collect.schema.json');
  const schema = JSON.parse(readFileSync(join(ROOT, validation.url), 'utf8')) as { $schema?: string };
  assert.ok(schema.$schema, 'the schema file is a JSON Schema');
});
