// Language-server benchmark: Gleaner's server against yaml-language-server (configured with the
// spec's JSON Schema) on the same generated specs, in the same run, so the ratios mean something
// on any machine. Measures didOpen → first publishDiagnostics, edit → publishDiagnostics,
// completion and hover p95 at 5k lines, and the slowest request at 50k lines.
//
//   node bench/lsp-bench.mjs [--sizes 1000,5000] [--no-build]
import { cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startServer } from './lsp/client.mjs';
import { generateSpec } from './lsp/generate.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', '.work', 'lsp');
mkdirSync(work, { recursive: true });
const argv = process.argv.slice(2);
const sizesArg = argv.includes('--sizes') ? argv[argv.indexOf('--sizes') + 1] : '1000,5000,20000,50000';
const sizes = sizesArg.split(',').map(Number);
const EDITS = 5;
const SAMPLES = 40;

async function buildServer() {
  // The server targets of esbuild.mjs, minified as in the VSIX, built alone so that the bench
  // does not depend on the other rooms.
  const esbuild = await import('esbuild');
  const build = await import(pathToFileURL(join(root, 'esbuild.mjs')).href);
  for (const target of build.serverTargetsWith(build.nodeOptions(true))) await esbuild.build({ ...target, absWorkingDir: root });
}

function schemaPath() {
  const real = join(root, 'schema', 'collect.schema.json');
  if (existsSync(real)) return real;
  // Placeholder when the schema has not been generated: a minimal object schema.
  const placeholder = join(work, 'placeholder.schema.json');
  writeFileSync(placeholder, JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }));
  return placeholder;
}

const CAPABILITIES = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
  textDocument: {
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown'] } },
    hover: { contentFormat: ['markdown'] },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    foldingRange: { lineFoldingOnly: true },
  },
};

function servers() {
  const require = createRequire(import.meta.url);
  const ylsBin = join(dirname(require.resolve('yaml-language-server/package.json')), 'bin', 'yaml-language-server');
  const schemaUri = pathToFileURL(schemaPath()).href;
  return [
    {
      name: 'gleaner',
      languageId: 'gleaner-spec',
      // Quiet period the server waits after an edit: 1 ms per 200 lines of the document, between
      // 40 and 150 ms (open is immediate).
      debounce: { open: 0, edit: '40–150' },
      start: () =>
        startServer({
          command: process.execPath,
          args: [join(root, 'dist', 'server.js'), '--stdio'],
          // Untrusted: validation only, zero network, as for yaml-language-server.
          initializationOptions: { trusted: false },
          configuration: (section) => (section === 'gleaner' ? { network: { enabled: false } } : null),
          capabilities: CAPABILITIES,
        }),
    },
    {
      name: 'yaml-language-server',
      languageId: 'yaml',
      // yaml-language-server validates 200 ms after open and after each change.
      debounce: { open: 200, edit: 200 },
      start: async () => {
        const s = await startServer({
          command: process.execPath,
          args: [ylsBin, '--stdio'],
          configuration: (section) =>
            section === 'yaml'
              ? { validate: true, hover: true, completion: true, schemas: { [schemaUri]: ['*.collect.yaml'] }, schemaStore: { enable: false }, kubernetesCRDStore: { enable: false } }
              : {},
          capabilities: CAPABILITIES,
        });
        // yaml-language-server pulls its settings (and so the schema association) on this notification.
        await s.notify('workspace/didChangeConfiguration', { settings: null });
        return s;
      },
    },
  ];
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const median = (values) => percentile(values, 50);

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function measure(server, size) {
  const { text, fieldLines, lineCount } = generateSpec(size);
  const file = join(work, `spec-${size}.collect.yaml`);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const s = await server.start();
  const result = { server: server.name, size, lines: lineCount };
  try {
    // didOpen → first publishDiagnostics.
    const t0 = performance.now();
    const first = s.nextDiagnostics(uri, () => true, 180_000);
    await s.notify('textDocument/didOpen', { textDocument: { uri, languageId: server.languageId, version: 1, text } });
    const opened = await first;
    result.openMs = opened.at - t0;
    result.openDiagnostics = opened.params.diagnostics.length;

    // The first request after opening: the server's request thread has not parsed the file yet.
    if (size === sizes[sizes.length - 1]) {
      result.firstRequestMs = await timed(() => s.request('textDocument/documentSymbol', { textDocument: { uri } }, 180_000));
    }

    // Edit → publishDiagnostics for that version: rename one field key in the middle, back and forth.
    const editLine = fieldLines[Math.floor(fieldLines.length / 2)];
    const edits = [];
    for (let v = 2; v < 2 + EDITS; v++) {
      const newText = v % 2 === 0 ? '        g3:' : '        f3:';
      const done = s.nextDiagnostics(uri, (p) => p.version === undefined || p.version === v, 180_000);
      const te = performance.now();
      await s.notify('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [{ range: { start: { line: editLine, character: 0 }, end: { line: editLine, character: 11 } }, text: newText }],
      });
      const got = await done;
      edits.push(got.at - te);
    }
    result.editMs = median(edits);
    const version = 2 + EDITS;

    // Hover and completion latencies on field lines (fresh parse already cached by the last publish).
    if (size === 5000 || size === sizes[sizes.length - 1]) {
      const hovers = [];
      const completions = [];
      for (let k = 0; k < SAMPLES; k++) {
        const line = fieldLines[Math.floor((k * fieldLines.length) / SAMPLES)];
        hovers.push(await timed(() => s.request('textDocument/hover', { textDocument: { uri }, position: { line: line + 2, character: 12 } })));
        completions.push(await timed(() => s.request('textDocument/completion', { textDocument: { uri }, position: { line: line + 2, character: 16 } })));
      }
      result.hoverP95 = percentile(hovers, 95);
      result.completionP95 = percentile(completions, 95);
    }

    // The slowest request, asked right after an edit (so it waits behind the re-parse).
    if (size === sizes[sizes.length - 1]) {
      const latencies = [];
      const line = fieldLines[Math.floor(fieldLines.length / 3)];
      for (let round = 0; round < 3; round++) {
        const v = version + 1 + round;
        await s.notify('textDocument/didChange', {
          textDocument: { uri, version: v },
          contentChanges: [{ range: { start: { line, character: 8 }, end: { line, character: 10 } }, text: round % 2 === 0 ? 'h3' : 'f3' }],
        });
        const published = s.nextDiagnostics(uri, (p) => p.version === undefined || p.version === v, 180_000);
        const requests = [
          ['textDocument/hover', { textDocument: { uri }, position: { line: line + 1, character: 12 } }],
          ['textDocument/completion', { textDocument: { uri }, position: { line: line + 2, character: 16 } }],
          ['textDocument/documentSymbol', { textDocument: { uri } }],
          ['textDocument/foldingRange', { textDocument: { uri } }],
        ];
        // Keep asking until this version's diagnostics arrive, so that requests also land while
        // the server validates (bounded: at most 40 rounds of four requests).
        let arrived = false;
        void published.then(() => {
          arrived = true;
        });
        for (let k = 0; k < 40 && !arrived; k++) {
          for (const [method, params] of requests) latencies.push({ method, ms: await timed(() => s.request(method, params, 180_000)) });
        }
        await published;
      }
      const slowest = latencies.reduce((a, b) => (b.ms > a.ms ? b : a));
      result.maxRequestMs = slowest.ms;
      result.slowestMethod = slowest.method;
      result.requestCount = latencies.length;
    }
  } finally {
    await s.stop();
  }
  return result;
}

const fmt = (v) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

async function main() {
  if (!argv.includes('--no-build')) await buildServer();
  const rows = [];
  for (const size of sizes) {
    for (const server of servers().filter((sv) => !argv.includes('--only') || sv.name === argv[argv.indexOf('--only') + 1])) {
      process.stderr.write(`measuring ${server.name} at ${size} lines…\n`);
      rows.push(await measure(server, size));
    }
  }
  const lines = [];
  lines.push('| lines | server | open→diag ms | edit→diag ms | hover p95 ms | completion p95 ms | first request after open ms | slowest request while editing ms |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const r of rows) lines.push(`| ${r.lines} | ${r.server} | ${fmt(r.openMs)} | ${fmt(r.editMs)} | ${fmt(r.hoverP95)} | ${fmt(r.completionP95)} | ${fmt(r.firstRequestMs)} | ${fmt(r.maxRequestMs)} |`);
  lines.push('');
  lines.push('Ratios (yaml-language-server ÷ gleaner; > 1 means gleaner is faster; debounces included as measured: gleaner 0 ms on open and, on edit, 1 ms per 200 lines within 40–150 ms; yaml-language-server 200 ms on both):');
  for (const size of sizes) {
    const g = rows.find((r) => r.size === size && r.server === 'gleaner');
    const y = rows.find((r) => r.size === size && r.server === 'yaml-language-server') ?? {};
    if (!g) continue;
    const ratio = (a, b) => (a && b ? (b / a).toFixed(2) : '—');
    let line = `- ${g.lines} lines: open ${ratio(g.openMs, y.openMs)}×, edit ${ratio(g.editMs, y.editMs)}×`;
    if (g.hoverP95 !== undefined) line += `, hover p95 ${ratio(g.hoverP95, y.hoverP95)}×, completion p95 ${ratio(g.completionP95, y.completionP95)}×`;
    if (g.maxRequestMs !== undefined) line += `; gleaner slowest of ${g.requestCount} requests while editing: ${g.slowestMethod} ${fmt(g.maxRequestMs)} ms (${g.maxRequestMs <= 1000 ? 'within' : 'OVER'} the 1 s budget)`;
    lines.push(line);
  }
  lines.push('', `Machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end of the run.`);
  console.log(lines.join('\n'));
  const last = rows.find((r) => r.server === 'gleaner' && r.maxRequestMs !== undefined);
  if (last && last.maxRequestMs > 1000 && sizes[sizes.length - 1] >= 50000) process.exitCode = 1;
}

await main();
