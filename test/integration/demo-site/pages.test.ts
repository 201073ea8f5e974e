import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as cheerio from 'cheerio';
import { DEMO_BOOKS, NEGATIVE_PRICE_BOOK_ID, NO_PRICE_BOOK_ID, UTM_DUPLICATE_BOOK_ID, startDemoSite } from '../../../language-server/src/demo-site/index';
import type { DemoSite } from '../../../language-server/src/demo-site/index';
import { send } from './demo-client';

let site: DemoSite;
void before(async () => {
  site = await startDemoSite({ port: 0 });
});
void after(async () => {
  await site.close();
});

async function page(path: string): Promise<cheerio.CheerioAPI> {
  const res = await send(site.origin, path);
  assert.equal(res.status, 200, path);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', path);
  return cheerio.load(res.body);
}

void describe('demo site: robots.txt', () => {
  void it('has the three groups and the sitemap at fixed line numbers', async () => {
    const res = await send(site.origin, '/robots.txt');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    const lines = res.body.split('\n');
    const lineOf = (text: string): number => lines.indexOf(text) + 1;
    // The docs quote these numbers; moving a line must be a deliberate change.
    assert.equal(lineOf('User-agent: *'), 4);
    assert.equal(lineOf('User-agent: GleanerBot'), 11);
    assert.equal(lineOf('User-agent: BadBot'), 16);
    assert.deepEqual(lines.slice(3, 8), ['User-agent: *', 'Disallow: /private/', 'Disallow: /cart', 'Content-Signal: search=yes, ai-train=no', 'Crawl-delay: 1']);
    assert.deepEqual(lines.slice(10, 14), ['User-agent: GleanerBot', 'Allow: /', 'Disallow: /private/', 'Disallow: /cart']);
    assert.deepEqual(lines.slice(15, 17), ['User-agent: BadBot', 'Disallow: /']);
    assert.equal(lines[18], `Sitemap: ${site.origin}/sitemap.xml`);
  });
});

void describe('demo site: sitemap.xml', () => {
  void it('lists the listing pages and every detail page, and each one is served', async () => {
    const res = await send(site.origin, '/sitemap.xml');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/xml/);
    const locs = [...res.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    const expected = [1, 2, 3].map((n) => `${site.origin}/catalogue/page-${n}.html`).concat(DEMO_BOOKS.map((b) => `${site.origin}${b.path}`));
    assert.deepEqual(locs, expected);
    assert.equal(locs.length, 63);
    const statuses = await Promise.all(locs.map(async (loc) => (await send(site.origin, loc.slice(site.origin.length))).status));
    assert.deepEqual(new Set(statuses), new Set([200]));
  });
});

void describe('demo site: listing pages', () => {
  void it('page 1 … 3 each have 20 products with relative detail links, prices, ratings and a next link', async () => {
    const seen: number[] = [];
    for (const n of [1, 2, 3]) {
      const $ = await page(`/catalogue/page-${n}.html`);
      const pods = $('article.product_pod');
      assert.equal(pods.length, 20, `page ${n}`);
      pods.each((_, pod) => {
        const href = $(pod).find('h3 a').attr('href') ?? '';
        const match = /^([a-z0-9-]+)_(\d+)\/index\.html$/.exec(href);
        assert.ok(match, `relative detail link: ${href}`);
        const book = DEMO_BOOKS[Number(match[2]) - 1];
        assert.equal(book.slug, match[1]);
        seen.push(book.id);
        assert.equal($(pod).find('h3 a').attr('title'), book.title);
        assert.equal($(pod).find('p.price_color').text(), `£${book.price.toFixed(2)}`);
        assert.equal($(pod).find('p.star-rating').attr('class'), `star-rating ${book.ratingWord}`);
      });
      assert.equal($('li.next a').attr('href'), n < 3 ? `page-${n + 1}.html` : undefined);
    }
    assert.deepEqual(seen, DEMO_BOOKS.map((b) => b.id));
  });

  void it('only page 2 links to the disallowed pages and to one book again with ?utm_source=x', async () => {
    const dup = DEMO_BOOKS[UTM_DUPLICATE_BOOK_ID - 1];
    for (const n of [1, 2, 3]) {
      const $ = await page(`/catalogue/page-${n}.html`);
      const hrefs = $('a[href]').map((_, a) => $(a).attr('href')).get();
      const traps = hrefs.filter((h) => h === '/cart' || h === '/private/staff.html' || h.includes('utm_source'));
      assert.deepEqual(traps, n === 2 ? [`${dup.slug}_${dup.id}/index.html?utm_source=x`, '/cart', '/private/staff.html'] : [], `page ${n}`);
    }
    const $ = await page(`/catalogue/page-2.html`);
    assert.equal($(`article.product_pod h3 a[href="${dup.slug}_${dup.id}/index.html"]`).length, 1);
    // The disallowed pages exist, so a crawler that ignores robots.txt would find them.
    assert.equal((await send(site.origin, '/cart')).status, 200);
    assert.equal((await send(site.origin, '/private/staff.html')).status, 200);
  });

  void it('pages are a realistic size and carry no absolute URL of the site', async () => {
    for (const path of ['/catalogue/page-1.html', '/catalogue/page-2.html', DEMO_BOOKS[0].path, '/index.html']) {
      const res = await send(site.origin, path);
      const size = Buffer.byteLength(res.body);
      assert.ok(size >= 5000 && size <= 20000, `${path}: ${size} bytes`);
      const absolute = res.body.split(site.origin).length - 1;
      assert.equal(absolute, path.endsWith('/index.html') && path !== '/index.html' ? 1 : 0, `${path} embeds the origin ${absolute} times`);
    }
  });
});

void describe('demo site: detail pages', () => {
  void it('carry title, price, availability, rating, description, UPC, category and canonical link', async () => {
    const book = DEMO_BOOKS.find((b) => b.pageFault === undefined && b.id > 1) ?? DEMO_BOOKS[1];
    const $ = await page(book.path);
    assert.equal($('div.product_main h1').text(), book.title);
    assert.equal($('div.product_main p.price_color').text(), `£${book.price.toFixed(2)}`);
    assert.equal($('p.availability').first().text(), `In stock (${book.available} available)`);
    assert.equal($('div.product_main p.star-rating').attr('class'), `star-rating ${book.ratingWord}`);
    assert.equal($('#product_description + p').text(), book.description);
    const words = book.description.split(/\s+/).length;
    assert.ok(words >= 80 && words <= 200, `${words} words`);
    assert.equal($('table.table-striped tr:first-child th').text(), 'UPC');
    assert.equal($('table.table-striped tr:first-child td').text(), book.upc);
    assert.equal($('ul.breadcrumb li:nth-child(3) a').text(), book.category);
    assert.equal($('link[rel=canonical]').attr('href'), `${site.origin}${book.path}`);
  });

  void it('the utm duplicate serves the same page with the plain canonical URL', async () => {
    const dup = DEMO_BOOKS[UTM_DUPLICATE_BOOK_ID - 1];
    const plain = await send(site.origin, dup.path);
    const tagged = await send(site.origin, `${dup.path}?utm_source=x`);
    assert.equal(tagged.status, 200);
    assert.equal(tagged.body, plain.body);
    assert.equal(cheerio.load(tagged.body)('link[rel=canonical]').attr('href'), `${site.origin}${dup.path}`);
  });

  void it('two books are broken on purpose: one without a price, one at £-3.00', async () => {
    const noPrice = await page(DEMO_BOOKS[NO_PRICE_BOOK_ID - 1].path);
    assert.equal(noPrice('div.product_main h1').text(), DEMO_BOOKS[NO_PRICE_BOOK_ID - 1].title);
    assert.equal(noPrice('.price_color').length, 0);
    const negative = await page(DEMO_BOOKS[NEGATIVE_PRICE_BOOK_ID - 1].path);
    assert.equal(negative('div.product_main p.price_color').text(), '£-3.00');
    assert.deepEqual(DEMO_BOOKS.filter((b) => b.pageFault !== undefined).map((b) => [b.id, b.pageFault]), [
      [NO_PRICE_BOOK_ID, 'no-price'],
      [NEGATIVE_PRICE_BOOK_ID, 'negative-price'],
    ]);
  });

  void it('a wrong slug or an unknown id is a 404 HTML page', async () => {
    for (const path of ['/catalogue/wrong-slug_1/index.html', '/catalogue/x_61/index.html', '/catalogue/page-4.html', '/nope', '/api-not']) {
      const res = await send(site.origin, path);
      assert.equal(res.status, 404, path);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(res.body, /<h1>Page not found<\/h1>/);
    }
  });
});

void describe('demo site: other files and HTTP behaviour', () => {
  void it('tdmrep.json reserves TDM for /catalogue/* with a policy URL', async () => {
    const res = await send(site.origin, '/.well-known/tdmrep.json');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), [{ location: '/catalogue/*', 'tdm-reservation': 1, 'tdm-policy': `${site.origin}/tdm-policy.json` }]);
    assert.equal((await send(site.origin, '/tdm-policy.json')).status, 200);
  });

  void it('answers 304 to If-None-Match and If-Modified-Since, and 200 when the validator differs', async () => {
    for (const path of ['/catalogue/page-1.html', DEMO_BOOKS[4].path, '/robots.txt', '/sitemap.xml']) {
      const first = await send(site.origin, path);
      const etag = first.headers.etag ?? '';
      const lastModified = first.headers['last-modified'] ?? '';
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/, path);
      assert.ok(Number.isFinite(Date.parse(lastModified)), path);
      const byTag = await send(site.origin, path, { headers: { 'if-none-match': `"other", W/${etag}` } });
      assert.equal(byTag.status, 304, path);
      assert.equal(byTag.body, '');
      assert.equal(byTag.headers.etag, etag);
      assert.equal((await send(site.origin, path, { headers: { 'if-modified-since': lastModified } })).status, 304, path);
      assert.equal((await send(site.origin, path, { headers: { 'if-none-match': '"stale"' } })).status, 200, path);
      // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
      assert.equal((await send(site.origin, path, { headers: { 'if-none-match': '"stale"', 'if-modified-since': lastModified } })).status, 200, path);
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      assert.equal((await send(site.origin, path, { headers: { 'if-modified-since': earlier } })).status, 200, path);
    }
  });

  void it('answers HEAD with headers only and refuses POST to a page', async () => {
    const head = await send(site.origin, '/catalogue/page-1.html', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.ok(Number(head.headers['content-length']) > 5000);
    const post = await send(site.origin, '/catalogue/page-1.html', { method: 'POST', body: 'x=1' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});
