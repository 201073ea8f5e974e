import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileHtmlExtractor } from '../../../language-server/src/engine/extract/html';
import type { ScrapeSource } from '../../../language-server/src/engine/spec';
import { isGeneratedClass } from '../../../language-server/src/engine/infer/html';
import { inferSpec } from '../../../language-server/src/engine/infer';
import { assertValidSpec, field, fixture, inferFixture, plain } from './helpers';

const BOOKS_URL = 'http://127.0.0.1:8917/catalogue/page-1.html';

/**
 * Runs the real extractor on the proposed spec and checks that it reads what the samples say:
 * the samples are a promise about what a run will collect.
 */
function assertExtractorAgrees(yaml: string, html: string, pageUrl: string, samples: { name: string; sample: string[] }[]): void {
  const { model } = assertValidSpec(yaml);
  const source = model.sources[0] as ScrapeSource;
  assert.equal(source.kind, 'scrape');
  const extraction = compileHtmlExtractor(source).extract(html, pageUrl);
  assert.deepEqual(extraction.warnings, []);
  for (const f of samples) {
    const spec = source.records?.fields.find((s) => s.name === f.name);
    assert.ok(spec, `field ${f.name} is in the spec`);
    f.sample.forEach((sample, i) => {
      const got = extraction.records[i].values[f.name];
      if (spec.type === 'url') assert.equal(got, new URL(sample, pageUrl).href, `${f.name}[${i}]`);
      else if (spec.type === 'number' || spec.type === 'integer') assert.equal(typeof got, 'number', `${f.name}[${i}] = ${String(got)}`);
      else if (spec.type === 'date') assert.notEqual(got, null, `${f.name}[${i}]`);
      else assert.equal(got, sample, `${f.name}[${i}]`);
    });
  }
}

void describe('inferSpec on HTML pages', () => {
  void it('finds the product pods of a books.toscrape-like listing, with fields, samples and the next link', () => {
    const r = inferFixture('books-listing.html', BOOKS_URL, 'text/html; charset=utf-8');
    assert.equal(r.kind, 'scrape');
    assert.equal(r.recordLocator, 'article.product_pod');
    assert.ok(r.confidence >= 0.7, `confidence ${r.confidence}`);
    assert.deepEqual(field(r, 'title').sample.slice(0, 2), ['A Light in the Attic', 'Tipping the Velvet']);
    assert.equal(field(r, 'title').locator, 'h3 a');
    // The link text is cut short on the card; the full title comes from the attribute, once.
    assert.equal(r.fields.filter((f) => f.locator === 'h3 a' && f.name.startsWith('title')).length, 1);
    assert.deepEqual(field(r, 'price').sample.slice(0, 3), ['51.77', '53.74', '50.10']);
    assert.equal(field(r, 'price').locator, 'p.price_color');
    assert.deepEqual(field(r, 'rating').sample.slice(0, 4), ['Three', 'One', 'One', 'Four']);
    assert.equal(field(r, 'url').sample[0], 'a-light-in-the-attic_1000/index.html');
    assert.equal(field(r, 'image').sample[0], '../media/cache/a-light-in-the-attic_1000.jpg');
    // "In stock" and "Add to basket" are the same on every card: not fields.
    assert.ok(!r.fields.some((f) => f.sample.some((s) => /In stock|Add to basket/.test(s))));

    const spec = plain(r.yaml);
    const source = (spec.sources as Record<string, unknown>[])[0];
    assert.deepEqual(source.follow, [{ selector: 'li.next a', max_depth: 10 }]);
    assert.deepEqual(source.start_urls, [BOOKS_URL]);
    assert.equal(source.use_canonical, true);
    assert.equal((source.records as Record<string, unknown>).selector, 'article.product_pod');
    assert.deepEqual((source.records as { fields: Record<string, unknown> }).fields.rating, {
      selector: 'p.star-rating',
      attribute: 'class',
      regex: '(One|Two|Three|Four|Five)',
    });
    assert.equal(spec.name, 'all-products-books-to-scrape-sandbox');
    assert.deepEqual(spec.politeness, { robots: 'obey', delay: '1s', budget: { pages: 50 }, allow_private_network: true });
    assertExtractorAgrees(r.yaml, fixture('books-listing.html'), BOOKS_URL, r.fields);
  });

  void it('avoids generated class names in a product grid and anchors on a stable ancestor', () => {
    const url = 'https://shop.example.com/c/running-shoes';
    const r = inferFixture('product-grid-generated.html', url, 'text/html');
    assert.equal(r.recordLocator, 'section.product-grid > div');
    for (const f of [r.recordLocator, ...r.fields.map((x) => x.locator)]) {
      assert.doesNotMatch(f, /css-|__|:nth-child/, `selector ${f}`);
    }
    assert.deepEqual(field(r, 'title').sample.slice(0, 2), ['Trail Runner 3', 'Road Glide']);
    assert.deepEqual(field(r, 'price').sample.slice(0, 3), ['119.99', '89.00', '1,249.50']);
    assert.equal(field(r, 'url').sample[0], '/p/1001');
    assert.equal(field(r, 'image').sample[0], 'https://cdn.example.com/img/1001.jpg');
    // "New" is on every card.
    assert.ok(!r.fields.some((f) => f.sample.includes('New')));
    const source = (plain(r.yaml).sources as Record<string, unknown>[])[0];
    assert.deepEqual(source.follow, [{ selector: 'link[rel~="next"]', max_depth: 10 }]);
    assertExtractorAgrees(r.yaml, fixture('product-grid-generated.html'), url, r.fields);
  });

  void it('reads table rows, naming the columns from the header row', () => {
    const url = 'https://race.example.org/results?page=2';
    const r = inferFixture('results-table.html', url, 'text/html');
    assert.equal(r.recordLocator, 'tr:has(td)');
    assert.deepEqual(
      r.fields.map((f) => [f.name, f.locator]),
      [
        ['rank', 'td:nth-of-type(1)'],
        ['url', 'a'],
        ['runner', 'a'],
        ['country', 'td:nth-of-type(3)'],
        ['finish_time', 'td:nth-of-type(4)'],
        ['points', 'td:nth-of-type(5)'],
      ],
    );
    assert.deepEqual(field(r, 'runner').sample, ['Amina Okafor', 'Lars Eriksen', 'Kenji Watanabe', 'Sofia Rossi', 'Diego Alvarez']);
    const fields = (plain(r.yaml).sources as { records: { fields: Record<string, { type?: string }> } }[])[0].records.fields;
    assert.equal(fields.rank.type, 'integer');
    assert.equal(fields.points.type, 'number');
    assert.equal(fields.country.type, undefined);
    const source = (plain(r.yaml).sources as Record<string, unknown>[])[0];
    assert.deepEqual(source.follow, [{ selector: 'a:contains("›")', max_depth: 10 }]);
    assertExtractorAgrees(r.yaml, fixture('results-table.html'), url, r.fields);
  });

  void it('reads a blog index: title, link, date, author and summary; ignores the sidebar and menus', () => {
    const url = 'https://lab.example.net/';
    const r = inferFixture('blog-index.html', url, 'text/html');
    assert.equal(r.recordLocator, 'article.post');
    assert.deepEqual(
      r.fields.map((f) => f.name),
      ['url', 'title', 'date', 'author', 'description'],
    );
    assert.deepEqual(field(r, 'date').sample[0], '2026-11-20T09:00:00Z');
    assert.deepEqual(field(r, 'author').sample, ['Ada Park', 'Ben Ortiz', 'Ada Park', 'Chen Wu']);
    const source = (plain(r.yaml).sources as Record<string, unknown>[])[0];
    assert.deepEqual(source.follow, [{ selector: 'a.next', max_depth: 10 }]);
    assert.equal(plain(r.yaml).name, 'notes-from-the-lab-blog');
    assertExtractorAgrees(r.yaml, fixture('blog-index.html'), url, r.fields);
  });

  void it('proposes a single-record spec with low confidence when nothing repeats', () => {
    const url = 'https://institute.example.org/survey/about';
    const r = inferFixture('single-article.html', url, 'text/html');
    assert.equal(r.recordLocator, '');
    assert.ok(r.confidence <= 0.3, `confidence ${r.confidence}`);
    assert.ok(r.notes.some((n) => /single record/.test(n)));
    assert.deepEqual(
      r.fields.map((f) => [f.name, f.locator, f.sample[0]]),
      [
        ['title', 'h1', 'About the 2026 household survey'],
        ['description', 'meta[name="description"]', 'How the 2026 household survey was designed and run.'],
        ['date', 'time[datetime]', '2026-03-01'],
        ['url', 'link[rel="canonical"]', 'https://institute.example.org/survey/about'],
      ],
    );
    const records = (plain(r.yaml).sources as { records: Record<string, unknown> }[])[0].records;
    assert.equal(records.selector, undefined);
    assert.match(r.yaml, /whole page is one record/);
    const { model } = assertValidSpec(r.yaml);
    const extraction = compileHtmlExtractor(model.sources[0] as ScrapeSource).extract(fixture('single-article.html'), url);
    assert.equal(extraction.records.length, 1);
    assert.equal(extraction.records[0].values.title, 'About the 2026 household survey');
  });

  void it('uses the canonical URL as the start URL when it is on the same site', () => {
    const r = inferFixture('books-listing.html', 'http://127.0.0.1:8917/catalogue/page-1.html?utm_source=x', 'text/html');
    const source = (plain(r.yaml).sources as Record<string, unknown>[])[0];
    assert.deepEqual(source.start_urls, [BOOKS_URL]);
    assert.ok(r.notes.some((n) => /canonical/.test(n)));
  });

  void it('tells generated class names from written ones', () => {
    for (const c of ['css-1x2y3z', 'ProductCard_card__a8Xk2', 'sc-bdfBwQ', 'jsx-2394821', 'a1b2c3d4', 'xY3kP']) assert.ok(isGeneratedClass(c), c);
    for (const c of ['product_pod', 'price_color', 'star-rating', 'col-md-3', 'h2', 'entry-title', 'product-grid', 'item', 'col12']) assert.ok(!isGeneratedClass(c), c);
  });
});

void describe('inferSpec on a detail page', () => {
  void it('proposes one record with the heading, price, rating, availability and key/value table rows', () => {
    const url = 'http://127.0.0.1:8917/catalogue/a-light-in-the-attic_1000/index.html';
    const r = inferFixture('book-detail.html', url, 'text/html');
    assert.equal(r.recordLocator, '');
    assert.ok(r.confidence <= 0.35, `confidence ${r.confidence}`);
    assert.deepEqual(
      r.fields.map((f) => [f.name, f.locator, f.sample[0]]),
      [
        ['title', 'div.product_main h1', 'A Light in the Attic'],
        ['price', 'p.price_color', '51.77'],
        ['rating', 'p.star-rating', 'Three'],
        ['availability', 'p.instock', 'In stock (22 available)'],
        ['upc', 'table.table tr:nth-of-type(1) td', 'a897fe39b1053632'],
        ['product_type', 'table.table tr:nth-of-type(2) td', 'Books'],
        ['price_excl_tax', 'table.table tr:nth-of-type(3) td', '£51.77'],
        ['number_of_reviews', 'table.table tr:nth-of-type(4) td', '0'],
        ['description', 'meta[name="description"]', "It's hard to imagine a world without A Light in the Attic."],
        ['url', 'link[rel="canonical"]', url],
      ],
    );
    const { model } = assertValidSpec(r.yaml);
    const extraction = compileHtmlExtractor(model.sources[0] as ScrapeSource).extract(fixture('book-detail.html'), url);
    assert.equal(extraction.records.length, 1);
    const values = extraction.records[0].values;
    assert.equal(values.title, 'A Light in the Attic');
    assert.equal(values.price, 51.77);
    assert.equal(values.rating, 'Three');
    assert.equal(values.upc, 'a897fe39b1053632');
    assert.equal(values.number_of_reviews, 0);
    assert.equal(values.url, url);
  });
});

void describe('inferSpec: record selectors', () => {
  void it('prefers a test attribute when every class is generated', () => {
    const card = (i: number): string =>
      `<div class="css-${i}a9z2 sc-x${i}Yq9" data-testid="product-card"><a href="/p/${i}">Item ${i}</a><span class="css-p${i}8">€${i}.50</span></div>`;
    const body = `<html><body class="has-sidebar"><div class="css-0g1h2j">${[1, 2, 3, 4].map(card).join('')}</div></body></html>`;
    const r = inferSpec({ url: 'https://shop.example.com/', status: 200, contentType: 'text/html', body });
    assert.equal(r.recordLocator, 'div[data-testid="product-card"]');
    assert.deepEqual(field(r, 'price').sample, ['1.50', '2.50', '3.50', '4.50']);
    assert.deepEqual(field(r, 'title').sample, ['Item 1', 'Item 2', 'Item 3', 'Item 4']);
    assertValidSpec(r.yaml);
  });

  void it('prefers content over a longer navigation list', () => {
    const nav = `<nav><ul>${Array.from({ length: 40 }, (_, i) => `<li><a href="/c/${i}">Category number ${i}</a></li>`).join('')}</ul></nav>`;
    const items = Array.from({ length: 5 }, (_, i) => `<div class="result"><h3><a href="/r/${i}">Result ${i}</a></h3><p>Snippet text for result ${i}, long enough to read.</p></div>`).join('');
    const r = inferSpec({ url: 'https://search.example.com/?q=x', status: 200, contentType: 'text/html', body: `<html><body>${nav}<main>${items}</main></body></html>` });
    assert.equal(r.recordLocator, 'div.result');
  });
});
