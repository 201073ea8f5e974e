/**
 * The demo bookshop's HTML, robots.txt, sitemap and TDMRep file. Every function is pure: the
 * same arguments give byte-identical output. Links between pages are relative or root-relative;
 * only the few places that need an absolute URL (canonical link, sitemap, robots `Sitemap:`,
 * TDM policy) take the origin, which the server builds from the request's Host.
 */
import {
  BOOKS_PER_PAGE,
  CATALOGUE_LAST_MODIFIED,
  DEMO_BOOKS,
  DEMO_CATEGORIES,
  LISTING_PAGES,
  UTM_DUPLICATE_BOOK_ID,
} from './data';
import type { DemoBook, DemoCategory } from './data';

const SHOP_NAME = 'Gleaner Demo Books';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Formats a price the way the shop prints it, e.g. `£51.77`. */
export function formatPrice(price: number): string {
  return `£${price.toFixed(2)}`;
}

// A small stylesheet inline, as many small shops have: it keeps each page self-contained (no
// extra requests for a crawler to make) and makes the pages a realistic size.
const STYLE = `
  body { margin: 0; font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; font-size: 14px; line-height: 1.45; color: #333; background: #fff; }
  a { color: #337ab7; text-decoration: none; } a:hover { text-decoration: underline; }
  .header { background: #f5f5f5; border-bottom: 1px solid #e5e5e5; padding: 12px 24px; }
  .header .h1 a { font-size: 24px; color: #222; } .header small { color: #777; margin-left: 8px; }
  .header .basket-mini { float: right; color: #555; }
  .page_inner { max-width: 1170px; margin: 0 auto; padding: 0 24px; }
  .breadcrumb { list-style: none; padding: 8px 15px; margin: 16px 0; background: #f5f5f5; border-radius: 4px; }
  .breadcrumb li { display: inline; } .breadcrumb li + li:before { content: "/\\00a0"; padding: 0 5px; color: #ccc; }
  .breadcrumb .active { color: #777; }
  .row { display: flex; gap: 24px; } .sidebar { flex: 0 0 220px; } .content { flex: 1; }
  .side_categories ul { list-style: none; padding-left: 12px; } .side_categories li { margin: 3px 0; }
  ol.row { list-style: none; padding: 0; flex-wrap: wrap; }
  .product_pod { width: 190px; min-height: 250px; padding: 10px; border: 1px solid #eee; border-radius: 3px; }
  .product_pod h3 { font-size: 14px; height: 40px; overflow: hidden; }
  .image_container .thumbnail { display: block; height: 90px; background: #e8e2d4; text-align: center; line-height: 90px; color: #8a7f66; }
  .price_color { color: #458B00; font-weight: bold; font-size: 16px; }
  .star-rating { color: #E6CE31; } .star-rating:after { content: "\\2605\\2605\\2605\\2605\\2605"; letter-spacing: 2px; }
  .star-rating.One:after { content: "\\2605\\2606\\2606\\2606\\2606"; } .star-rating.Two:after { content: "\\2605\\2605\\2606\\2606\\2606"; }
  .star-rating.Three:after { content: "\\2605\\2605\\2605\\2606\\2606"; } .star-rating.Four:after { content: "\\2605\\2605\\2605\\2605\\2606"; }
  .instock { color: #3c763d; } .availability { margin: 6px 0; }
  .btn { display: inline-block; padding: 5px 10px; border: 1px solid #2e6da4; border-radius: 3px; background: #337ab7; color: #fff; font-size: 12px; }
  .pager { list-style: none; padding: 0; text-align: center; margin: 24px 0; } .pager li { display: inline; margin: 0 12px; }
  .pager .current { color: #777; }
  .product_main h1 { font-size: 26px; margin-top: 0; }
  .sub-header h2 { font-size: 18px; border-bottom: 1px solid #eee; padding-bottom: 4px; }
  table.table-striped { border-collapse: collapse; width: 100%; max-width: 560px; }
  table.table-striped th, table.table-striped td { text-align: left; padding: 6px 10px; border-top: 1px solid #ddd; }
  table.table-striped tr:nth-child(odd) { background: #f9f9f9; }
  .promo { border: 1px dashed #c9b; padding: 10px 14px; margin-bottom: 16px; background: #fff8fc; }
  .alert { padding: 10px 14px; background: #fcf8e3; border: 1px solid #faebcc; margin-bottom: 16px; }
  .footer { border-top: 1px solid #e5e5e5; margin-top: 36px; padding: 18px 24px; color: #777; font-size: 12px; }
  .footer ul { list-style: none; padding: 0; } .footer li { display: inline; margin-right: 14px; }
`;

interface Layout {
  title: string;
  description: string;
  /** Breadcrumb items, outermost first; the last one is the current page (no link). */
  breadcrumb: Array<{ label: string; href?: string }>;
  content: string;
  /** Absolute canonical URL, for pages that have one. */
  canonical?: string;
}

function categoryNav(current?: string): string {
  const items = DEMO_CATEGORIES.map((c) => {
    const label = c.name === current ? `<strong>${escapeHtml(c.name)}</strong>` : escapeHtml(c.name);
    return `            <li><a href="${c.path}">${label}</a></li>`;
  }).join('\n');
  return `      <aside class="sidebar col-sm-4 col-md-3">
        <div class="side_categories">
          <ul class="nav nav-list">
            <li><a href="/catalogue/page-1.html">Books</a>
          <ul>
${items}
          </ul>
            </li>
          </ul>
        </div>
      </aside>`;
}

function layout(page: Layout, currentCategory?: string): string {
  const crumbs = page.breadcrumb
    .map((c, i) => (c.href !== undefined && i < page.breadcrumb.length - 1 ? `        <li><a href="${c.href}">${escapeHtml(c.label)}</a></li>` : `        <li class="active">${escapeHtml(c.label)}</li>`))
    .join('\n');
  const canonical = page.canonical !== undefined ? `\n  <link rel="canonical" href="${escapeHtml(page.canonical)}">` : '';
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(page.title)} | ${SHOP_NAME}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="${escapeHtml(page.description)}">${canonical}
  <style>${STYLE}  </style>
</head>
<body id="default" class="default">
  <header class="header container-fluid">
    <div class="page_inner">
      <div class="row">
        <div class="col-sm-8 h1"><a href="/index.html">${SHOP_NAME}</a><small>We love being scraped politely</small></div>
      </div>
    </div>
  </header>
  <div class="container-fluid page">
    <div class="page_inner">
      <ul class="breadcrumb">
${crumbs}
      </ul>
      <div class="row">
${categoryNav(currentCategory)}
        <div class="content col-sm-8 col-md-9">
${page.content}
        </div>
      </div>
    </div>
  </div>
  <footer class="footer container-fluid">
    <div class="page_inner">
      <ul>
        <li><a href="/index.html">Home</a></li>
        <li><a href="/catalogue/page-1.html">All books</a></li>
        <li><a href="/terms.html">Terms of use</a></li>
        <li><a href="/sitemap.xml">Sitemap</a></li>
      </ul>
      <p>${SHOP_NAME} is a fictitious shop served by Gleaner for demonstrations and tests. Book data
      is licensed CC BY 4.0; text and data mining of <code>/catalogue/</code> is reserved (see
      <code>/.well-known/tdmrep.json</code>). Catalogue last updated ${CATALOGUE_LAST_MODIFIED.toUTCString()}.</p>
    </div>
  </footer>
</body>
</html>
`;
}

/** One `article.product_pod`; `prefix` makes the detail link relative to the listing page. */
function productPod(book: DemoBook, prefix: string): string {
  const href = `${prefix}${book.slug}_${book.id}/index.html`;
  return `    <li>
      <article class="product_pod">
        <div class="image_container"><a href="${href}"><span class="thumbnail" aria-hidden="true">${escapeHtml(book.title.slice(0, 1))}</span></a></div>
        <p class="star-rating ${book.ratingWord}"></p>
        <h3><a href="${href}" title="${escapeHtml(book.title)}">${escapeHtml(book.title)}</a></h3>
        <div class="product_price">
          <p class="price_color">${formatPrice(book.price)}</p>
          <p class="instock availability">In stock</p>
        </div>
      </article>
    </li>`;
}

function productGrid(books: readonly DemoBook[], prefix: string): string {
  return `          <section>
          <ol class="row">
${books.map((b) => productPod(b, prefix)).join('\n')}
          </ol>
          </section>`;
}

/** `/catalogue/page-N.html` for N in 1 … 3, or undefined for any other N. */
export function listingPage(page: number): string | undefined {
  if (!Number.isInteger(page) || page < 1 || page > LISTING_PAGES) return undefined;
  const books = DEMO_BOOKS.slice((page - 1) * BOOKS_PER_PAGE, page * BOOKS_PER_PAGE);
  // Page 2 carries the traps: links a polite crawler must not follow (robots.txt disallows
  // them) and a second link to one book with a tracking parameter, which canonicalises to the
  // book's plain URL.
  let promo = '';
  if (page === 2) {
    const dup = DEMO_BOOKS[UTM_DUPLICATE_BOOK_ID - 1];
    promo = `          <div class="promo">
            <p><strong>Book of the week:</strong> <a href="${dup.slug}_${dup.id}/index.html?utm_source=x">${escapeHtml(dup.title)}</a> — now with free delivery.</p>
            <p><a href="/cart">View your basket</a> · <a href="/private/staff.html">Staff area</a></p>
          </div>\n`;
  }
  const pager = [
    page > 1 ? `            <li class="previous"><a href="page-${page - 1}.html">previous</a></li>` : '',
    `            <li class="current">Page ${page} of ${LISTING_PAGES}</li>`,
    page < LISTING_PAGES ? `            <li class="next"><a href="page-${page + 1}.html">next</a></li>` : '',
  ].filter((l) => l !== '').join('\n');
  const first = (page - 1) * BOOKS_PER_PAGE + 1;
  const content = `          <div class="page-header action"><h1>All products</h1></div>
${promo}          <form class="form-horizontal"><strong>${DEMO_BOOKS.length}</strong> results - showing <strong>${first}</strong> to <strong>${first + books.length - 1}</strong>.</form>
${productGrid(books, '')}
          <div>
          <ul class="pager">
${pager}
          </ul>
          </div>`;
  return layout({
    title: `All products | Page ${page} of ${LISTING_PAGES}`,
    description: `Every book in the ${SHOP_NAME} catalogue, page ${page} of ${LISTING_PAGES}.`,
    breadcrumb: [{ label: 'Home', href: '/index.html' }, { label: 'All products' }],
    content,
  });
}

/** A category's listing page (all its books on one page). */
export function categoryPage(category: DemoCategory): string {
  const books = DEMO_BOOKS.filter((b) => b.category === category.name);
  const content = `          <div class="page-header action"><h1>${escapeHtml(category.name)}</h1></div>
          <form class="form-horizontal"><strong>${books.length}</strong> results.</form>
${productGrid(books, '../../')}`;
  return layout(
    {
      title: `${category.name} | Books`,
      description: `Books in ${category.name} at ${SHOP_NAME}.`,
      breadcrumb: [{ label: 'Home', href: '/index.html' }, { label: 'Books', href: '/catalogue/page-1.html' }, { label: category.name }],
      content,
    },
    category.name,
  );
}

/** A book's detail page; `origin` builds its canonical link. Two books are broken on purpose. */
export function detailPage(book: DemoBook, origin: string): string {
  const category = DEMO_CATEGORIES.find((c) => c.name === book.category);
  const categoryHref = category !== undefined ? `../category/${category.slug}_${DEMO_CATEGORIES.indexOf(category) + 2}/index.html` : '../page-1.html';
  // The broken books: one has lost its price element (a template bug), the other shows a
  // negative price (a data-entry bug). A crawler's validation should set both aside.
  const shownPrice = book.pageFault === 'negative-price' ? '£-3.00' : formatPrice(book.price);
  const priceLine = book.pageFault === 'no-price' ? '' : `\n              <p class="price_color">${shownPrice}</p>`;
  const priceRows = book.pageFault === 'no-price'
    ? ''
    : `
              <tr><th>Price (excl. tax)</th><td>${shownPrice}</td></tr>
              <tr><th>Price (incl. tax)</th><td>${shownPrice}</td></tr>
              <tr><th>Tax</th><td>£0.00</td></tr>`;
  const content = `          <article class="product_page">
          <div class="row">
            <div class="col-sm-6">
              <div class="image_container"><span class="thumbnail" aria-hidden="true">${escapeHtml(book.title.slice(0, 1))}</span></div>
            </div>
            <div class="col-sm-6 product_main">
              <h1>${escapeHtml(book.title)}</h1>${priceLine}
              <p class="instock availability">In stock (${book.available} available)</p>
              <p class="star-rating ${book.ratingWord}"></p>
              <hr>
              <form><button type="submit" class="btn btn-primary" disabled>Add to basket</button></form>
            </div>
          </div>
          <div id="product_description" class="sub-header"><h2>Product Description</h2></div>
          <p>${escapeHtml(book.description)}</p>
          <div class="sub-header"><h2>Product Information</h2></div>
          <table class="table table-striped">
            <tbody>
              <tr><th>UPC</th><td>${book.upc}</td></tr>
              <tr><th>Product Type</th><td>Books</td></tr>${priceRows}
              <tr><th>Availability</th><td>In stock (${book.available} available)</td></tr>
              <tr><th>Number of reviews</th><td>0</td></tr>
            </tbody>
          </table>
          </article>`;
  return layout(
    {
      title: `${book.title} | ${book.category}`,
      description: book.description.split('. ')[0],
      breadcrumb: [
        { label: 'Home', href: '../../index.html' },
        { label: 'Books', href: '../page-1.html' },
        { label: book.category, href: categoryHref },
        { label: book.title },
      ],
      content,
      canonical: `${origin}${book.path}`,
    },
    book.category,
  );
}

/** The shop's front page. */
export function homePage(): string {
  const featured = DEMO_BOOKS.filter((b) => b.rating === 5).slice(0, 4);
  const items = featured
    .map((b) => `            <li><a href="${b.path}">${escapeHtml(b.title)}</a> — ${formatPrice(b.price)}</li>`)
    .join('\n');
  const content = `          <div class="page-header"><h1>Welcome to ${SHOP_NAME}</h1></div>
          <div class="alert"><strong>Warning!</strong> This is a demo website for web scraping purposes. Prices and ratings here were randomly assigned and have no real meaning.</div>
          <p>Browse <a href="/catalogue/page-1.html">all ${DEMO_BOOKS.length} books</a> or pick a category on the left.</p>
          <h2>Readers' favourites</h2>
          <ul class="featured">
${items}
          </ul>`;
  return layout({
    title: 'Home',
    description: `${SHOP_NAME}: a small, fictitious bookshop for trying out Gleaner.`,
    breadcrumb: [{ label: 'Home' }],
    content,
  });
}

/** Terms of use (the examples name this page as the licence's terms URL). */
export function termsPage(): string {
  const content = `          <div class="page-header"><h1>Terms of use</h1></div>
          <p>The book data in this shop (titles, prices, ratings, descriptions and reviews) is made up
          and licensed under the Creative Commons Attribution 4.0 International licence (CC BY 4.0).
          Credit it as “Book data from the Gleaner demo shop, CC BY 4.0.”</p>
          <p>Automated access is welcome from clients that identify themselves, obey
          <code>/robots.txt</code> and keep to one request a second. The JSON API allows ten requests
          a second and answers 429 with a <code>Retry-After</code> header beyond that.</p>
          <p>We reserve text and data mining rights for <code>/catalogue/</code> as declared in
          <code>/.well-known/tdmrep.json</code>, and our robots.txt signals <code>ai-train=no</code>.</p>`;
  return layout({
    title: 'Terms of use',
    description: `Terms of use of ${SHOP_NAME}.`,
    breadcrumb: [{ label: 'Home', href: '/index.html' }, { label: 'Terms of use' }],
    content,
  });
}

/** The staff-only page robots.txt disallows (it exists, so a crawler that ignores robots finds it). */
export function staffPage(): string {
  return layout({
    title: 'Staff area',
    description: 'Staff only.',
    breadcrumb: [{ label: 'Home', href: '/index.html' }, { label: 'Staff area' }],
    content: `          <div class="page-header"><h1>Staff area</h1></div>
          <p>Rota, stock-take notes and supplier contacts. Robots are asked not to come here.</p>`,
  });
}

/** The basket page robots.txt disallows. */
export function cartPage(): string {
  return layout({
    title: 'Basket',
    description: 'Your basket.',
    breadcrumb: [{ label: 'Home', href: '/index.html' }, { label: 'Basket' }],
    content: `          <div class="page-header"><h1>Basket</h1></div>
          <p>Your basket is empty. <a href="/catalogue/page-1.html">Continue shopping</a>.</p>`,
  });
}

/** The 404 page for any unknown path. */
export function notFoundPage(path: string): string {
  return layout({
    title: 'Page not found',
    description: 'Page not found.',
    breadcrumb: [{ label: 'Home', href: '/index.html' }, { label: 'Page not found' }],
    content: `          <div class="page-header"><h1>Page not found</h1></div>
          <p>Nothing lives at <code>${escapeHtml(path.slice(0, 200))}</code>. Try <a href="/catalogue/page-1.html">the catalogue</a>.</p>`,
  });
}

/**
 * robots.txt. The line numbers matter (the editor shows the deciding line), so the docs and the
 * tests quote them: `User-agent: *` is line 4, `User-agent: GleanerBot` line 11, `User-agent:
 * BadBot` line 16, `Sitemap:` line 19.
 */
export function robotsTxt(origin: string): string {
  return [
    '# robots.txt for Gleaner Demo Books',
    '# Everyone: stay out of staff pages and the basket, one request a second,',
    '# and no AI training on our content.',
    'User-agent: *',
    'Disallow: /private/',
    'Disallow: /cart',
    'Content-Signal: search=yes, ai-train=no',
    'Crawl-delay: 1',
    '',
    '# GleanerBot may read the whole catalogue.',
    'User-agent: GleanerBot',
    'Allow: /',
    'Disallow: /private/',
    'Disallow: /cart',
    '',
    'User-agent: BadBot',
    'Disallow: /',
    '',
    `Sitemap: ${origin}/sitemap.xml`,
    '',
  ].join('\n');
}

/** Every path the sitemap lists: the listing pages, then every detail page. */
export function sitemapPaths(): string[] {
  const listings = Array.from({ length: LISTING_PAGES }, (_, i) => `/catalogue/page-${i + 1}.html`);
  return [...listings, ...DEMO_BOOKS.map((b) => b.path)];
}

/** sitemap.xml with absolute URLs on `origin`. */
export function sitemapXml(origin: string): string {
  const lastmod = CATALOGUE_LAST_MODIFIED.toISOString().slice(0, 10);
  const urls = sitemapPaths()
    .map((p) => `  <url>\n    <loc>${escapeHtml(origin + p)}</loc>\n    <lastmod>${lastmod}</lastmod>\n  </url>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
}

/** TDMRep (W3C CG report): text and data mining rights reserved for `/catalogue/*`. */
export function tdmrepJson(origin: string): string {
  return `${JSON.stringify([{ location: '/catalogue/*', 'tdm-reservation': 1, 'tdm-policy': `${origin}/tdm-policy.json` }], null, 2)}\n`;
}

/** The TDM policy the TDMRep file points to: an ODRL offer naming who to ask for a licence. */
export function tdmPolicyJson(origin: string): string {
  const policy = {
    '@context': ['http://www.w3.org/ns/odrl.jsonld', { tdm: 'http://www.w3.org/ns/tdmrep#' }],
    '@type': 'Offer',
    profile: 'http://www.w3.org/ns/tdmrep',
    uid: `${origin}/tdm-policy.json`,
    assigner: { uid: `${origin}/terms.html`, 'vcard:fn': SHOP_NAME, 'vcard:hasEmail': 'mailto:licensing@example.org' },
    permission: [{ target: `${origin}/catalogue/`, action: 'tdm:mine', duty: [{ action: 'obtainConsent' }] }],
  };
  return `${JSON.stringify(policy, null, 2)}\n`;
}
