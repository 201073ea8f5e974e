/**
 * Extraction benchmark: how much do selectors, and then reading values, cost on top of parsing?
 *
 * Two scenarios, each on 300 deterministic pages of 20–60 KB: listing pages (about 28 product
 * records of six fields each, the dense case) and product detail pages (one record of ten
 * fields, what most of a shop crawl fetches). On the same pages each times:
 *   (a) htmlparser2's `parseDocument` alone;
 *   (s) parse + selectors, the goal's measure: `compileHtmlExtractor(...).extract` with the same
 *       record, field and follow selectors, but every field reading an attribute no element has,
 *       so that no text is read and nothing is coerced. That is if anything more selector work
 *       than the real spec, since a field that reads nothing goes on to try all its fallbacks;
 *       follow links are still resolved and canonicalised;
 *   (b) the full `extract` the crawler makes per page: (s) plus reading text and attributes,
 *       regexes, coercion and URL resolution.
 * All are measured as CPU time in interleaved rounds; a process's figure is the median over its
 * rounds of s/a (and b/a) within a round. Each scenario runs in several fresh processes, one after
 * another, because a figure moves more between processes (by what the JIT happened to optimise
 * first) than between rounds of one; the headline is the median of the processes' figures. The
 * goal is s/a ≤ 1.3: parse + selectors at most 30 % above the parse it cannot avoid. b/a is
 * printed beside it, as what a crawl pays in all.
 *
 * Run: node --import tsx bench/extract-bench.ts [--pages N] [--rounds N] [--processes N] [--only listing|detail]
 */
import { spawnSync } from 'node:child_process';
import { parseDocument } from 'htmlparser2';
import { compileHtmlExtractor } from '../language-server/src/engine/extract/html';
import type { FollowRule, HtmlFieldSpec, ScrapeSource } from '../language-server/src/engine/spec/model';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? NaN : Number(process.argv[index + 1]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const PAGES = argument('--pages', 300);
const ROUNDS = argument('--rounds', 15);
const PROCESSES = argument('--processes', 5);
/** Set in the processes this script starts for itself: run one scenario and report it as JSON. */
const CHILD = process.argv.includes('--child');
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

/** mulberry32: a seeded generator, so every run benchmarks the same pages. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the a light in attic velvet soumission sharp objects sapiens history of humankind requiem red dirty little secrets coming woman poems black maria starving hearts triangular trade trilogy shakespeare sonnets set me free scott pilgrim wonderful world rip it up start again our band could be your life mesaerion best science fiction stories olio libertarianism for beginners'.split(' ');
const RATINGS = ['One', 'Two', 'Three', 'Four', 'Five'];

function makeListingPage(index: number, random: () => number): string {
  const targetBytes = 20_000 + Math.floor(random() * 40_000);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const words = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const head = `<!DOCTYPE html><html lang="en-us"><head><meta charset="utf-8"><title>All products | Page ${index}</title>
<link rel="canonical" href="http://127.0.0.1:8917/catalogue/page-${index}.html"><link rel="stylesheet" href="/static/css/styles.css">
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script></head>
<body id="default" class="default"><header class="header container-fluid"><div class="page_inner"><div class="row">
<div class="col-sm-8 h1"><a href="../index.html">Books to Scrape</a><small> We love being scraped!</small></div></div></div></header>
<div class="container-fluid page"><div class="page_inner"><ul class="breadcrumb"><li><a href="../index.html">Home</a></li><li class="active">All products</li></ul>
<div class="row"><aside class="sidebar col-sm-4 col-md-3"><div class="side_categories"><ul class="nav nav-list"><li><a href="../category/books_1/index.html">Books</a><ul>
${Array.from({ length: 50 }, (_, i) => `<li><a href="../category/books/${pick(WORDS)}_${i + 2}/index.html">${words(2)}</a></li>`).join('\n')}
</ul></li></ul></div></aside><div class="col-sm-8 col-md-9"><div class="page-header action"><h1>All products</h1></div>
<form method="get" class="form-horizontal"><strong>1000</strong> results - showing <strong>1</strong> to <strong>20</strong>.</form><section><ol class="row">`;
  const parts: string[] = [head];
  let size = head.length;
  let product = 0;
  const tail = `</ol><div><ul class="pager"><li class="current">Page ${index} of ${PAGES}</li><li class="previous"><a href="page-${index - 1}.html">previous</a></li>
<li class="next"><a href="page-${index + 1}.html?utm_source=bench">next</a></li></ul></div></section></div></div></div></div>
<footer class="footer container-fluid"><p>${words(40)}</p></footer><script src="/static/js/bootstrap.min.js"></script></body></html>`;
  while (size + tail.length < targetBytes) {
    product++;
    const id = index * 1000 + product;
    const title = words(3 + Math.floor(random() * 5));
    const slug = title.replace(/ /g, '-');
    const price = (10 + random() * 50).toFixed(2);
    const stock = random() < 0.9 ? `In stock (${1 + Math.floor(random() * 30)} available)` : 'Out of stock';
    const article = `<li class="col-xs-6 col-sm-4 col-md-3 col-lg-3"><article class="product_pod">
<div class="image_container"><a href="${slug}_${id}/index.html"><img src="../media/cache/${id.toString(16)}.jpg" alt="${title}" class="thumbnail"></a></div>
<p class="star-rating ${pick(RATINGS)}"><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i><i class="icon-star"></i></p>
<h3><a href="${slug}_${id}/index.html" title="${title}">${title.length > 20 ? `${title.slice(0, 20)}...` : title}</a></h3>
<div class="product_price"><p class="price_color">£${price}</p><p class="instock availability"><i class="icon-ok"></i>
    ${stock}</p><form><button type="submit" class="btn btn-primary btn-block" data-loading-text="Adding...">Add to basket</button></form></div>
<p class="description">${words(30 + Math.floor(random() * 60))}</p></article></li>\n`;
    parts.push(article);
    size += article.length;
  }
  parts.push(tail);
  return parts.join('');
}

const field = (spec: Partial<HtmlFieldSpec> & { name: string }): HtmlFieldSpec => ({ fallback: [], extract: 'text', type: 'string', all: false, path: [], ...spec });
const rule = (spec: Partial<FollowRule> & { selector: string }): FollowRule => ({ source: 'books', allow: [], deny: [], path: [], ...spec });

const listingSource: ScrapeSource = {
  kind: 'scrape',
  id: 'books',
  startUrls: ['http://127.0.0.1:8917/catalogue/page-1.html'],
  follow: [rule({ selector: 'h3 a', source: 'detail', allow: ['/catalogue/'] }), rule({ selector: 'li.next a', deny: ['/private/'] })],
  useCanonical: true,
  path: [],
  records: {
    selector: 'article.product_pod',
    fields: [
      field({ name: 'title', selector: 'h3 a', extract: 'attribute', attribute: 'title' }),
      field({ name: 'url', selector: 'h3 a', extract: 'attribute', attribute: 'href', type: 'url' }),
      field({ name: 'price', selector: 'p.price_color', type: 'number' }),
      field({ name: 'available', selector: 'p.availability', regex: '\\((\\d+) available\\)', type: 'integer', default: 0 }),
      field({ name: 'rating', selector: 'p.star-rating', extract: 'attribute', attribute: 'class', regex: 'star-rating (\\w+)' }),
      field({ name: 'description', selector: 'p.description' }),
    ],
  },
};

/**
 * A product detail page in the demo site's layout: one record of ten fields, padded to 20–60 KB
 * with what real shop pages carry (navigation, reviews, related products, scripts).
 */
function makeDetailPage(index: number, random: () => number): string {
  const targetBytes = 20_000 + Math.floor(random() * 40_000);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const words = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const title = words(4);
  const head = `<!DOCTYPE html><html lang="en-us"><head><meta charset="utf-8"><title>${title} | Books to Scrape</title>
<base href="http://127.0.0.1:8917/catalogue/book_${index}/"><link rel="canonical" href="/catalogue/book_${index}/index.html?utm_source=feed">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"${title}","sku":"${index}"}</script></head>
<body><header><nav><ul>${Array.from({ length: 40 }, (_, i) => `<li><a href="../category/books/${pick(WORDS)}_${i + 2}/index.html">${words(2)}</a></li>`).join('')}</ul></nav></header>
<div class="page_inner"><ul class="breadcrumb"><li><a href="../../index.html">Home</a></li><li><a href="../category/books_1/index.html">Books</a></li>
<li><a href="../category/books/${pick(WORDS)}_${index % 50}/index.html">${pick(WORDS)}</a></li><li class="active">${title}</li></ul>
<article class="product_page"><div class="row"><div class="col-sm-6"><div id="product_gallery"><img src="../../media/cache/${index.toString(16)}.jpg" alt="${title}"></div></div>
<div class="col-sm-6 product_main"><h1>${title}</h1><p class="price_color">£${(10 + random() * 50).toFixed(2)}</p>
<p class="instock availability"><i class="icon-ok"></i>
    In stock (${1 + Math.floor(random() * 30)} available)</p><p class="star-rating ${pick(RATINGS)}"><i class="icon-star"></i><i class="icon-star"></i></p></div></div>
<div id="product_description" class="sub-header"><h2>Product Description</h2></div><p>${words(150 + Math.floor(random() * 150))}</p>
<table class="table table-striped"><tr><th>UPC</th><td>${(index * 2654435761).toString(16).padStart(16, '0')}</td></tr><tr><th>Product Type</th><td>Books</td></tr>
<tr><th>Availability</th><td>In stock</td></tr><tr><th>Number of reviews</th><td>${index % 7}</td></tr></table>
<ul class="tags">${Array.from({ length: 5 }, () => `<li>${pick(WORDS)}</li>`).join('')}</ul></article><section class="reviews">`;
  const parts: string[] = [head];
  let size = head.length;
  const tail = `</section><footer><p>${words(40)}</p></footer><script src="/static/js/bootstrap.min.js"></script></body></html>`;
  let related = 0;
  while (size + tail.length < targetBytes) {
    related++;
    const block =
      related % 3 === 0
        ? `<div class="related"><a href="../book_${index + related}/index.html"><img src="../../media/cache/r${related}.jpg" alt=""><span>${words(4)}</span></a><p class="price_color">£${(random() * 50).toFixed(2)}</p></div>\n`
        : `<div class="review"><p class="author">${words(2)}</p><p class="star-rating ${pick(RATINGS)}"></p><p>${words(40 + Math.floor(random() * 40))}</p></div>\n`;
    parts.push(block);
    size += block.length;
  }
  parts.push(tail);
  return parts.join('');
}

const detailSource: ScrapeSource = {
  kind: 'scrape',
  id: 'detail',
  startUrls: [],
  follow: [rule({ selector: 'div.related a', source: 'detail', allow: ['/catalogue/'] })],
  useCanonical: true,
  path: [],
  records: {
    fields: [
      field({ name: 'title', selector: 'div.product_main h1' }),
      field({ name: 'price', selector: 'div.product_main p.price_color', type: 'number' }),
      field({ name: 'available', selector: 'div.product_main p.availability', regex: '\\((\\d+) available\\)', type: 'integer' }),
      field({ name: 'rating', selector: 'div.product_main p.star-rating', extract: 'attribute', attribute: 'class', regex: 'star-rating (\\w+)' }),
      field({ name: 'description', selector: '#product_description + p' }),
      field({ name: 'upc', selector: 'table.table-striped tr:first-child td' }),
      field({ name: 'category', selector: 'ul.breadcrumb li:nth-child(3) a' }),
      field({ name: 'image', selector: '#product_gallery img', extract: 'attribute', attribute: 'src', type: 'url' }),
      field({ name: 'tags', selector: 'ul.tags li', all: true }),
      field({ name: 'reviews', selector: 'th:contains("Number of reviews") + td', type: 'integer' }),
    ],
  },
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** CPU time of this process for one run, in ms. */
function cpuMs(run: () => void): number {
  // CPU time, not wall-clock: on a shared machine other processes steal the CPU in bursts, and
  // wall-clock rounds then measure the neighbours more than the code. There is deliberately no
  // forced collection before a run: tried, it raised both ratios by about a fifth, apparently by
  // leaving the young generation small, so that the run after it scavenged (and copied the
  // page being extracted) far more often than a crawl in its steady state does.
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** What one process measured for one scenario. */
interface ProcessResult {
  summary: string;
  /** Medians over the rounds of (s)/(a) and (b)/(a). */
  selectorsRatio: number;
  fullRatio: number;
  bestParseMs: number;
  bestSelectorsMs: number;
  bestFullMs: number;
}

/**
 * `source` reduced to its selectors (side (s) above): every field reads an attribute that no
 * element has, as plain text, with no regex or default, so that each of its selectors is tried
 * and no value is read.
 */
function selectorsOnly(source: ScrapeSource): ScrapeSource {
  if (source.records === undefined) return source;
  const fields = source.records.fields.map((field): HtmlFieldSpec => ({ ...field, extract: 'attribute', attribute: 'data-bench-unset', type: 'string', regex: undefined, default: undefined }));
  return { ...source, records: { ...source.records, fields } };
}

/** Times parse-only, parse + selectors and full extraction on the same pages, in interleaved rounds. */
function scenario(source: ScrapeSource, makePage: (index: number, random: () => number) => string, urlOf: (index: number) => string): ProcessResult {
  const random = rng(20261123);
  const pages = Array.from({ length: PAGES }, (_, i) => ({ url: urlOf(i + 1), html: makePage(i + 1, random) }));
  const totalBytes = pages.reduce((sum, page) => sum + page.html.length, 0);
  const full = compileHtmlExtractor(source);
  const selectors = compileHtmlExtractor(selectorsOnly(source));

  // A checksum of the work keeps the optimiser from discarding it.
  let sink = 0;
  const parseOnly = (): void => {
    for (const page of pages) sink += parseDocument(page.html).children.length;
  };
  const parseAndSelectors = (): void => {
    for (const page of pages) {
      const result = selectors.extract(page.html, page.url);
      sink += result.recordCount + result.links.length;
    }
  };
  let records = 0;
  let values = 0;
  const fullExtraction = (): void => {
    records = 0;
    values = 0;
    for (const page of pages) {
      const result = full.extract(page.html, page.url);
      records += result.recordCount;
      for (const count of Object.values(result.matchCounts)) values += count;
      sink += result.links.length;
    }
  };

  // Two warm-up runs each, so every side is optimised before the first timed round.
  const sides = [parseOnly, parseAndSelectors, fullExtraction];
  for (let i = 0; i < 2; i++) for (const side of sides) side();
  const times: number[][] = [[], [], []];
  const selectorsRatios: number[] = [];
  const fullRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate which side goes first, so that none always runs in another's wake (and pays for
    // collecting its garbage).
    const took = [0, 0, 0];
    for (let k = 0; k < sides.length; k++) {
      const side = (round + k) % sides.length;
      took[side] = cpuMs(sides[side]);
    }
    for (let side = 0; side < sides.length; side++) times[side].push(took[side]);
    selectorsRatios.push(took[1] / took[0]);
    fullRatios.push(took[2] / took[0]);
  }
  // Each round's runs are adjacent in time and so see the same machine; the median of the
  // per-round ratios is the figure least moved by the bursts of load on a shared machine.
  return {
    summary: `${PAGES} pages, ${(totalBytes / 1024 / 1024).toFixed(1)} MiB, ${(records / PAGES).toFixed(1)} records/page, ${(values / PAGES).toFixed(1)} values/page [checksum ${sink}]`,
    selectorsRatio: median(selectorsRatios),
    fullRatio: median(fullRatios),
    bestParseMs: Math.min(...times[0]),
    bestSelectorsMs: Math.min(...times[1]),
    bestFullMs: Math.min(...times[2]),
  };
}

const SCENARIOS = {
  listing: { title: 'listing pages', run: () => scenario(listingSource, makeListingPage, (i) => `http://127.0.0.1:8917/catalogue/page-${i}.html`) },
  detail: { title: 'detail pages', run: () => scenario(detailSource, makeDetailPage, (i) => `http://127.0.0.1:8917/catalogue/book_${i}/index.html`) },
};

/** Runs one scenario in a fresh process of this script; undefined (with the reason printed) when that fails. */
function inFreshProcess(name: string): ProcessResult | undefined {
  const args = [...process.execArgv, process.argv[1], '--child', '--only', name, '--pages', String(PAGES), '--rounds', String(ROUNDS)];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 15 * 60_000 });
  const line = child.stdout?.split('\n').find((text) => text.startsWith('{'));
  if (child.status !== 0 || line === undefined) {
    console.log(`  a process failed (exit ${child.status ?? child.signal}): ${(child.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
    return undefined;
  }
  return JSON.parse(line) as ProcessResult;
}

function main(): number {
  const names = (Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[]).filter((name) => ONLY === undefined || ONLY === name);
  if (CHILD) {
    for (const name of names) console.log(JSON.stringify(SCENARIOS[name].run()));
    return 0;
  }
  let failed = 0;
  for (const name of names) {
    const results: ProcessResult[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const result = inFreshProcess(name);
      if (result === undefined) failed++;
      else results.push(result);
    }
    if (results.length === 0) continue;
    const best = (pick: (result: ProcessResult) => number): number => Math.min(...results.map(pick));
    const a = best((result) => result.bestParseMs);
    const line = (label: string, ms: number): string => `  ${label} ${ms.toFixed(0)} ms CPU best, ${((PAGES / ms) * 1000).toFixed(0)} pages/s`;
    const figure = (ratios: number[]): string => `${median(ratios).toFixed(2)} median of processes (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}; per process ${ratios.map((value) => value.toFixed(2)).join(' ')})`;
    const selectorsRatios = results.map((result) => result.selectorsRatio);
    console.log(`${SCENARIOS[name].title}: ${results[0].summary}, ${ROUNDS} rounds in each of ${results.length} processes`);
    console.log(line('(a) htmlparser2 parseDocument:', a));
    console.log(line('(s) parse + selectors:        ', best((result) => result.bestSelectorsMs)));
    console.log(line('(b) full extraction:          ', best((result) => result.bestFullMs)));
    console.log(`  s/a: ${figure(selectorsRatios)} (goal ≤ 1.3) ${median(selectorsRatios) <= 1.3 ? 'OK' : 'OVER'}`);
    console.log(`  b/a: ${figure(results.map((result) => result.fullRatio))}, what a crawl pays in all`);
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
