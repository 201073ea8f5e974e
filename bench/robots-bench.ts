// Benchmark: evaluateRobots against a ~500 KiB robots.txt with thousands of rules, and the same
// checks with npm robots-parser as a reference measured in the same run.
// Run: node --import tsx bench/robots-bench.ts [urls]
import robotsParser from 'robots-parser';
import { evaluateRobots, parseRobots } from '../language-server/src/engine/robots';

/** Deterministic pseudo-random numbers, so every run measures the same work. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const random = lcg(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const sections = ['catalogue', 'private', 'api', 'search', 'user', 'static', 'media', 'blog', 'shop', 'cart'];
const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'kappa', 'sigma', 'theta', 'lambda', 'zeta'];

function randomPath(): string {
  const depth = 1 + Math.floor(random() * 4);
  let path = '';
  for (let i = 0; i < depth; i++) path += '/' + (i === 0 ? pick(sections) : pick(words) + Math.floor(random() * 500));
  if (random() < 0.3) path += '.html';
  if (random() < 0.2) path += '?id=' + Math.floor(random() * 1000);
  return path;
}

function buildRobots(targetBytes: number): { text: string; rules: number } {
  const lines = ['User-agent: *', 'Disallow: /private/', 'Crawl-delay: 1'];
  const agentLines = ['User-agent: GleanerBot', 'Allow: /'];
  let rules = 2;
  let bytes = 0;
  while (bytes < targetBytes) {
    const base = randomPath().replace(/\?.*$/, '');
    const roll = random();
    let line: string;
    if (roll < 0.15) line = `Disallow: ${base.replace(/\/[^/]*$/, '')}/*.pdf$`;
    else if (roll < 0.25) line = `Allow: ${base}*`;
    else if (roll < 0.3) line = `Disallow: /*${pick(words)}${Math.floor(random() * 500)}`;
    else line = `${random() < 0.7 ? 'Disallow' : 'Allow'}: ${base}`;
    (random() < 0.5 ? lines : agentLines).push(line);
    bytes += line.length + 1;
    rules++;
  }
  return { text: [...lines, '', ...agentLines, ''].join('\n'), rules };
}

const urlCount = Number(process.argv[2] ?? 100_000);
const { text, rules } = buildRobots(500 * 1024);
const urls = Array.from({ length: urlCount }, () => randomPath());
const agent = 'GleanerBot/0.1 (+mailto:bench@example.org)';

let started = process.hrtime.bigint();
const robots = parseRobots(text);
evaluateRobots(robots, agent, '/'); // compiles the agent's rules once
const compileMs = Number(process.hrtime.bigint() - started) / 1e6;

let allowedCount = 0;
started = process.hrtime.bigint();
for (const url of urls) if (evaluateRobots(robots, agent, url).allowed) allowedCount++;
const ourUs = Number(process.hrtime.bigint() - started) / 1e3 / urls.length;

// robots-parser scans every rule on every check, so the reference runs on a sample of the
// same URLs to keep the benchmark short; per-check time is what is compared.
const referenceCount = Math.min(urls.length, 2_000);
const reference = robotsParser('http://bench.test/robots.txt', text);
let referenceAllowed = 0;
let agreeing = 0;
started = process.hrtime.bigint();
for (let i = 0; i < referenceCount; i++) if (reference.isAllowed('http://bench.test' + urls[i]!, agent)) referenceAllowed++;
const refUs = Number(process.hrtime.bigint() - started) / 1e3 / referenceCount;
for (let i = 0; i < referenceCount; i++) {
  if (Boolean(reference.isAllowed('http://bench.test' + urls[i]!, agent)) === evaluateRobots(robots, agent, urls[i]!).allowed) agreeing++;
}

const out = (line: string): void => {
  process.stdout.write(line + '\n');
};
out(`robots.txt: ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB, ${rules} rules; parse + compile ${compileMs.toFixed(1)} ms`);
out(`gleaner evaluateRobots: ${urls.length} checks, ${ourUs.toFixed(2)} µs/check (${allowedCount} allowed)`);
out(`robots-parser (reference): ${referenceCount} checks, ${refUs.toFixed(2)} µs/check (${referenceAllowed} allowed)`);
out(`ratio: gleaner is ${(refUs / ourUs).toFixed(1)}× faster per check; verdicts agree on ${agreeing}/${referenceCount}`);
