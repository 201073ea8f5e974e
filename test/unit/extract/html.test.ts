import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { is, selectAll } from 'css-select';
import type { AnyNode, Element } from 'domhandler';
import { findAll } from 'domutils';
import { parseDocument } from 'htmlparser2';
import { compileHtmlExtractor } from '../../../language-server/src/engine/extract/html';
import { followRule, htmlField, scrapeSource } from './spec-builders';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const LISTING_URL = 'http://127.0.0.1:8917/catalogue/page-2.html';
const DETAIL_URL = 'http://127.0.0.1:8917/catalogue/a-light-in-the-attic_1000/index.html';

const listingSource = scrapeSource({
  follow: [
    followRule({ selector: 'h3 a', source: 'detail', allow: ['/catalogue/[^/]+_\\d+/'] }),
    followRule({ selector: 'li.next a' }),
    followRule({ selector: 'p.staff a', deny: ['/private/', '/cart$'] }),
  ],
  records: {
    selector: 'article.product_pod',
    fields: [
      htmlField({ name: 'title', selector: 'h3 a', extract: 'attribute', attribute: 'title' }),
      htmlField({ name: 'url', selector: 'h3 a', extract: 'attribute', attribute: 'href', type: 'url' }),
      // `.price_color` is present but empty on the broken book, so the fallback must kick in.
      htmlField({ name: 'price', selector: '.price_color', fallback: ['.old_price'], regex: '£([\\d.]+)', type: 'number' }),
      htmlField({ name: 'rating', selector: 'p.star-rating', extract: 'attribute', attribute: 'class', regex: 'star-rating (\\w+)' }),
      htmlField({ name: 'availability', selector: '.availability', default: 'unknown' }),
    ],
  },
});

void describe('compileHtmlExtractor: listing page', () => {
  const result = compileHtmlExtractor(listingSource).extract(fixture('listing-page-2.html'), LISTING_URL);

  void it('finds one record per product, including the one with broken markup', () => {
    assert.equal(result.recordCount, 4);
    assert.deepEqual(
      result.records.map((r) => r.values.title),
      ['A Light in the Attic', 'Tipping the Velvet', 'Tipping the Velvet', 'Soumission'],
    );
    assert.deepEqual(result.warnings, []);
  });

  void it('reads attributes, resolves url fields against the page, and applies regexes', () => {
    const first = result.records[0].values;
    assert.deepEqual(first, {
      title: 'A Light in the Attic',
      url: 'http://127.0.0.1:8917/catalogue/a-light-in-the-attic_1000/index.html',
      price: 51.77,
      rating: 'Three',
      availability: 'In stock',
    });
    assert.deepEqual(result.records[0].errors, []);
  });

  void it('keeps selectors inside their record', () => {
    assert.deepEqual(
      result.records.map((r) => r.values.rating),
      ['Three', 'One', 'Five', 'Two'],
    );
  });

  void it('tries fallback selectors when the first one yields nothing', () => {
    assert.equal(result.records[3].values.price, 50.1);
  });

  void it('uses the default for a missing element and does not count it as a match', () => {
    assert.equal(result.records[1].values.availability, 'unknown');
    assert.deepEqual(result.matchCounts, { title: 4, url: 4, price: 4, rating: 4, availability: 1 });
  });

  void it('follows links: canonical, de-duplicated, in scope, no javascript:/mailto:', () => {
    assert.deepEqual(
      result.links.map((l) => [l.source, l.url]),
      [
        ['detail', 'http://127.0.0.1:8917/catalogue/a-light-in-the-attic_1000/index.html'],
        ['detail', 'http://127.0.0.1:8917/catalogue/tipping-the-velvet_999/index.html'],
        ['detail', 'http://127.0.0.1:8917/catalogue/soumission_998/index.html'],
        ['books', 'http://127.0.0.1:8917/catalogue/page-3.html'],
      ],
    );
    assert.equal(result.links[0].rule, listingSource.follow[0]);
  });

  void it('reports the canonical URL without its fragment', () => {
    assert.equal(result.canonicalUrl, 'http://127.0.0.1:8917/catalogue/page-2.html');
  });

  void it('gives the same result when the extractor is reused', () => {
    const extractor = compileHtmlExtractor(listingSource);
    const once = extractor.extract(fixture('listing-page-2.html'), LISTING_URL);
    const twice = extractor.extract(fixture('listing-page-2.html'), LISTING_URL);
    assert.deepEqual(twice, once);
    assert.deepEqual(once, result);
  });
});

void describe('compileHtmlExtractor: detail page (the page is one record)', () => {
  const source = scrapeSource({
    records: {
      fields: [
        htmlField({ name: 'title', selector: 'div.product_main h1' }),
        htmlField({ name: 'price', selector: 'div.product_main p.price_color', type: 'number' }),
        htmlField({ name: 'available', selector: 'p.availability', regex: '\\((\\d+) available\\)', type: 'integer' }),
        htmlField({ name: 'rating', selector: 'p.star-rating', extract: 'attribute', attribute: 'class', regex: 'star-rating (One|Two|Three|Four|Five)' }),
        htmlField({ name: 'description', selector: '#product_description + p' }),
        htmlField({ name: 'description_html', selector: '#product_description + p', extract: 'html' }),
        htmlField({ name: 'upc', selector: 'th:contains("UPC") + td' }),
        htmlField({ name: 'category', selector: 'ul.breadcrumb li:nth-child(3) a' }),
        htmlField({ name: 'image', selector: '#product_gallery img', extract: 'attribute', attribute: 'src', type: 'url' }),
        htmlField({ name: 'tags', selector: 'ul.tags li', all: true }),
        htmlField({ name: 'no_tags', selector: 'ul.nothing li', all: true }),
        htmlField({ name: 'isbn', selector: '.isbn', default: 'n/a' }),
        htmlField({ name: 'missing', selector: '.nope' }),
        htmlField({ name: 'price_as_integer', selector: 'div.product_main p.price_color', type: 'integer' }),
      ],
    },
  });
  const result = compileHtmlExtractor(source).extract(fixture('detail-page.html'), DETAIL_URL);
  const values = result.records[0].values;

  void it('treats the whole page as one record', () => {
    assert.equal(result.recordCount, 1);
  });

  void it('collapses whitespace in text and decodes entities', () => {
    assert.equal(values.title, 'A Light in the Attic');
    assert.equal(values.description, "It's hard to imagine a world without A Light in the Attic. This now-classic collection of poetry & drawings unclosed bold");
  });

  void it('collapses every kind of whitespace run to one space and trims, as JavaScript\'s \\s and trim() define them', () => {
    const texts = ['\n    In stock (22 available)', 'two  spaces', 'tab\there', 'nbsp\u00a0and\u2003em\u3000ideographic', '\ufeffbom ', 'plain text', ' \r\n\t '];
    // One of each whitespace character of \s, alone between two words.
    for (const space of '\t\n\v\f\r\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff') texts.push(`a${space}b`);
    const page = `<html><body>${texts.map((text) => `<p>${text}</p>`).join('')}</body></html>`;
    const extractor = compileHtmlExtractor(scrapeSource({ records: { fields: [htmlField({ name: 'texts', selector: 'p', all: true })] } }));
    const expected = texts.map((text) => text.replace(/\s+/g, ' ').trim()).filter((text) => text !== '');
    assert.deepEqual(extractor.extract(page, 'http://x.example/').records[0].values.texts, expected);
  });

  void it('stores a field named __proto__ as data, and counts its matches', () => {
    const extractor = compileHtmlExtractor(scrapeSource({ records: { fields: [htmlField({ name: '__proto__', selector: 'p' })] } }));
    const { values } = extractor.extract('<p>x</p>', 'http://x.example/').records[0];
    assert.equal(Object.getPrototypeOf(values), Object.prototype);
    assert.equal(JSON.stringify(values), '{"__proto__":"x"}');
    assert.equal(JSON.stringify(extractor.extract('<p>x</p><p>y</p>', 'http://x.example/').matchCounts), '{"__proto__":1}');
  });

  void it('returns inner HTML for extract: html', () => {
    assert.match(String(values.description_html), /^It's hard to imagine a world without <em>A Light in the Attic<\/em>\. .*&amp; drawings/s);
  });

  void it('coerces numbers and regex-picked integers', () => {
    assert.equal(values.price, 51.77);
    assert.equal(values.available, 22);
    assert.equal(values.rating, 'Three');
  });

  void it('supports sibling, :contains and :nth-child selectors', () => {
    assert.equal(values.upc, 'a897fe39b1053632');
    assert.equal(values.category, 'Poetry');
  });

  void it('resolves url attributes against <base href>', () => {
    assert.equal(values.image, 'http://127.0.0.1:8917/media/cache/fe/72/fe72f0532301ec28892ae79a629a293c.jpg');
  });

  void it('collects every match with all: true, dropping empty ones', () => {
    assert.deepEqual(values.tags, ['poetry', 'children', 'classic']);
    assert.deepEqual(values.no_tags, []);
  });

  void it('uses defaults and null for missing elements', () => {
    assert.equal(values.isbn, 'n/a');
    assert.equal(values.missing, null);
    assert.equal(result.matchCounts.isbn, 0);
    assert.equal(result.matchCounts.missing, 0);
    assert.equal(result.matchCounts.title, 1);
  });

  void it('keeps coercion failures with the raw text for the failed-records file', () => {
    assert.equal(values.price_as_integer, null);
    assert.deepEqual(result.records[0].errors, [{ field: 'price_as_integer', reason: 'price_as_integer: "£51.77" is not a whole number', raw: '£51.77' }]);
  });

  void it('reads <link rel=Canonical> case-insensitively, resolved against <base>, tracking dropped', () => {
    assert.equal(result.canonicalUrl, 'http://127.0.0.1:8917/catalogue/a-light-in-the-attic_1000/index.html');
  });
});

void describe('compileHtmlExtractor: relative selectors', () => {
  const html = '<div class="outer"><section class="r"><p>one</p><div><p>two</p></div></section><section class="r"><p>three</p></section></div>';
  void it('does not let a selector match through an ancestor outside the record', () => {
    const source = scrapeSource({ records: { selector: 'section.r', fields: [htmlField({ name: 'p', selector: 'div p', all: true })] } });
    const result = compileHtmlExtractor(source).extract(html, 'http://x.example/');
    assert.deepEqual(
      result.records.map((r) => r.values.p),
      [['two'], []],
    );
  });

  void it('supports a leading child combinator and the record element itself', () => {
    const source = scrapeSource({
      records: {
        selector: 'section.r',
        fields: [
          htmlField({ name: 'direct', selector: '> p' }),
          htmlField({ name: 'self', extract: 'attribute', attribute: 'class' }),
          htmlField({ name: 'text' }),
        ],
      },
    });
    const result = compileHtmlExtractor(source).extract(html, 'http://x.example/');
    assert.deepEqual(result.records[0].values, { direct: 'one', self: 'r', text: 'onetwo' });
    assert.deepEqual(result.records[1].values, { direct: 'three', self: 'r', text: 'three' });
  });
});

void describe('compileHtmlExtractor: robustness', () => {
  const source = scrapeSource({
    follow: [followRule({ selector: 'a' })],
    records: { selector: 'li', fields: [htmlField({ name: 'v', selector: 'b', type: 'number' })] },
  });

  void it('never throws on broken or hostile markup', () => {
    const inputs = ['', '<<<>>>', '<li><b>1<li><b>2', '<!-- unterminated', '<li><b>3</i></b></li></ul></html></html>', '\u0000\uFFFF<li>\uD800</li>', '<a href="http://[bad">x</a>', '<script><li><b>9</b></li></script><li><b>4</b></li>', `<li>${'<b>'.repeat(20000)}5`];
    const extractor = compileHtmlExtractor(source);
    const withHas = compileHtmlExtractor(
      scrapeSource({
        follow: [followRule({ selector: 'li:has(b:contains("5")) a' })],
        records: { selector: 'li:has(a)', fields: [htmlField({ name: 'v', selector: 'b:has(b)', extract: 'html' })] },
      }),
    );
    for (const html of inputs) {
      assert.doesNotThrow(() => withHas.extract(html, 'http://x.example/'), html.slice(0, 40));
      assert.doesNotThrow(() => extractor.extract(html, 'http://x.example/'), html.slice(0, 40));
    }
    // Deep nesting is searched, not given up on: every traversal (and :has) is iterative.
    const deep = withHas.extract(`<ul><li>${'<b>'.repeat(20000)}5<a href="/five">5</a></li></ul>`, 'http://x.example/');
    assert.deepEqual(deep.warnings, []);
    assert.equal(deep.recordCount, 1);
    assert.deepEqual(
      deep.links.map((l) => l.url),
      ['http://x.example/five'],
    );
    // An unclosed <li> is closed by the next one, as browsers do.
    const implied = extractor.extract('<ul><li><b>1</b><li><b>2</b></ul>', 'http://x.example/');
    assert.deepEqual(
      implied.records.map((r) => r.values.v),
      [1, 2],
    );
    const scripted = extractor.extract('<script><li><b>9</b></li></script><li><b>4</b></li>', 'http://x.example/');
    assert.deepEqual(
      scripted.records.map((r) => r.values.v),
      [4],
    );
  });

  void it('reports invalid selectors and regexes as warnings and matches nothing with them', () => {
    const broken = scrapeSource({
      follow: [followRule({ selector: 'a[' })],
      records: {
        selector: 'li',
        fields: [
          htmlField({ name: 'bad_selector', selector: 'b:::x', fallback: ['b'] }),
          htmlField({ name: 'bad_regex', selector: 'b', regex: '(unclosed' }),
        ],
      },
    });
    const extractor = compileHtmlExtractor(broken);
    assert.equal(extractor.warnings.length, 3);
    assert.match(extractor.warnings.join('\n'), /selector "b:::x" is not valid/);
    assert.match(extractor.warnings.join('\n'), /regex \/\(unclosed\/ does not compile/);
    const result = extractor.extract('<li><b>x</b><a href="/y">y</a></li>', 'http://x.example/');
    assert.deepEqual(result.records[0].values, { bad_selector: 'x', bad_regex: null });
    assert.deepEqual(result.links, []);
    assert.equal(result.warnings.length, 3);
  });

  void it('does not throw on an invalid page URL; relative links are dropped, url fields fail', () => {
    const withUrl = scrapeSource({
      follow: [followRule({ selector: 'a' })],
      records: { selector: 'li', fields: [htmlField({ name: 'u', selector: 'a', extract: 'attribute', attribute: 'href', type: 'url' })] },
    });
    const result = compileHtmlExtractor(withUrl).extract('<li><a href="/rel">r</a><a href="http://abs.example/x">a</a></li>', 'not a url');
    assert.deepEqual(
      result.links.map((l) => l.url),
      ['http://abs.example/x'],
    );
    assert.equal(result.records[0].values.u, null);
    assert.match(result.records[0].errors[0].reason, /not an absolute URL/);
  });

  void it('warns when the record selector matches nothing', () => {
    const result = compileHtmlExtractor(source).extract('<p>no list here</p>', 'http://x.example/');
    assert.equal(result.recordCount, 0);
    assert.match(result.warnings[0], /selector "li" matched nothing/);
  });

  void it('yields no records but still links when the source has no records spec', () => {
    const crawlOnly = scrapeSource({ follow: [followRule({ selector: 'a' })] });
    const result = compileHtmlExtractor(crawlOnly).extract('<a href="/a#x">a</a><a href="/a">again</a><a href="tel:123">t</a>', 'http://x.example/dir/');
    assert.equal(result.recordCount, 0);
    assert.deepEqual(result.matchCounts, {});
    assert.deepEqual(
      result.links.map((l) => l.url),
      ['http://x.example/a'],
    );
  });

  void it('ignores an invalid <base href> with a warning', () => {
    const crawlOnly = scrapeSource({ follow: [followRule({ selector: 'a' })] });
    const result = compileHtmlExtractor(crawlOnly).extract('<base href="http://[::bad"><a href="b">b</a>', 'http://x.example/dir/');
    assert.deepEqual(
      result.links.map((l) => l.url),
      ['http://x.example/dir/b'],
    );
    assert.match(result.warnings.join(), /base href/);
  });
});

void describe('compileHtmlExtractor: the element index agrees with css-select', () => {
  // Every element carries its number, so a field reading `data-n` lists exactly what matched.
  let n = 0;
  const page = `<!DOCTYPE html><html><head><base href="/b/"><link rel="canonical" href="/c"></head><body>
<div id="main" class="product_main wide"><h1>T</h1><p class="price_color">£1</p><p class="A  b\u00a0c">nbsp</p>
<p class="star-rating Three"></p><ul class="tags"><li>x<li class="r">y<ul><li class="r">z<b>b</b></li></ul></ul></div>
<table class="table-striped"><tr><th>UPC</th><td>1<td>2</tr><tr><th>Number of reviews</th><td>3</table>
<div class="related"><a href="/r1"><span>r</span></a><p class="price_color">£2</p><div class="related"><a href="/r2">in</a></div></div>
<p class="description">text<p>unclosed<div><p>deep<svg><rect class="r"/></svg></div><a href="/out">out</a>
<h3><a href="/h">h</a></h3><section><h3>x</h3><a href="/not-in-h3">n</a></section></body></html>`.replace(/<([a-zA-Z][\w-]*)/g, (tag) => `${tag} data-n="${n++}"`);
  const document = parseDocument(page, { decodeEntities: true });
  const selectors = [
    'p', 'p.price_color', '.price_color', 'p.A', 'p.b', 'p.c', 'P.A', '#main', 'div#main.product_main', 'div.product_main p.price_color',
    'div.related a', 'div.related > a', 'div.related div.related a', 'h3 a', 'section a', 'ul.tags li', 'ul li.r', 'li.r > b', 'li:has(b)',
    'table.table-striped tr:first-child td', 'th + td', 'th:contains("Number of reviews") + td', 'td ~ td', 'p:first-child', 'rect',
    'svg rect.r', 'a, b', 'h1, h3', 'p.price_color, p.description', '*', 'div:not(.related)', '[class~=r]', 'a[href^="/r"]', 'li.r.B',
  ];

  for (const selector of selectors) {
    void it(`selects what css-select selects: ${selector}`, () => {
      const extractor = compileHtmlExtractor(
        scrapeSource({ records: { fields: [htmlField({ name: 'n', selector, all: true, extract: 'attribute', attribute: 'data-n' })] } }),
      );
      const expected = selectAll<AnyNode, Element>(selector, document).map((element) => element.attribs['data-n']);
      assert.deepEqual(extractor.extract(page, 'http://x.example/').records[0].values.n, expected);
    });
  }

  // Within a record, a field selector sees the record as its root: it matches descendants, and
  // its left compounds may match the record itself but no ancestor of it (cheerio's `find`).
  for (const recordSelector of ['div', 'div.related', 'li', 'ul', 'section', 'body', 'h3']) {
    void it(`selects what css-select selects within each record: records ${recordSelector}`, () => {
      const records = selectAll<AnyNode, Element>(recordSelector, parseDocument(page, { decodeEntities: true }));
      for (const selector of selectors) {
        const expected = records.map((record) => {
          const parent = record.parent;
          record.parent = null;
          try {
            return findAll((element) => is<AnyNode, Element>(element, selector), record.children).map((element) => element.attribs['data-n']);
          } finally {
            record.parent = parent;
          }
        });
        const extractor = compileHtmlExtractor(
          scrapeSource({ records: { selector: recordSelector, fields: [htmlField({ name: 'n', selector, all: true, extract: 'attribute', attribute: 'data-n' })] } }),
        );
        const actual = extractor.extract(page, 'http://x.example/').records.map((record) => record.values.n);
        assert.deepEqual(actual, expected, `field selector ${selector}`);
      }
    });
  }
});
