// The generated shop behind the crawl benchmark: deterministic product pages of 20–60 KB,
// paginated listing pages, a robots.txt, and the ground truth the benchmark checks every
// crawler's records against. Pure: no IO, so the site server and the checker share it.

/** Products per listing page. */
export const PER_PAGE = 50;
/** One product in this many is "archived": linked from the site but disallowed by robots.txt. */
const ARCHIVED_EVERY = 40;

export const ROBOTS_TXT = [
  '# Crawl benchmark shop',
  'User-agent: *',
  'Disallow: /cart/',
  'Disallow: /product/archive/',
  '',
].join('\n');

/** Deterministic pseudo-random numbers (LCG), so every run serves exactly the same bytes. */
function lcg(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS = (
  'sturdy compact ergonomic wireless premium classic modern portable durable lightweight ' +
  'stainless waterproof adjustable rechargeable foldable vintage handmade organic quiet smart ' +
  'kettle lamp backpack speaker blender chair tent jacket watch camera drill mug shelf ' +
  'designed for everyday use with a finish that lasts and a warranty that covers parts and labour ' +
  'ships in recycled packaging assembled in minutes tested by our team rated by customers'
).split(' ');
const NOUNS = ['Kettle', 'Lamp', 'Backpack', 'Speaker', 'Blender', 'Chair', 'Tent', 'Jacket', 'Watch', 'Camera', 'Drill', 'Mug', 'Shelf'];
const ADJECTIVES = ['Sturdy', 'Compact', 'Ergonomic', 'Wireless', 'Premium', 'Classic', 'Modern', 'Portable', 'Durable', 'Lightweight'];
const CATEGORIES = ['kitchen', 'lighting', 'outdoor', 'audio', 'furniture', 'clothing', 'tools', 'photo'];
const RATINGS = ['One', 'Two', 'Three', 'Four', 'Five'];

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SKU of product number `i` (0-based). */
export const skuOf = (i) => `SKU-${String(100000 + i)}`;

/**
 * The site layout for `pages` allowed product pages: which products exist, which are archived
 * (disallowed), and how they are spread over the listing pages.
 */
export function layout(pages) {
  // Archived products come on top of the `pages` allowed ones, so every crawler that obeys
  // robots.txt produces exactly `pages` records: the smallest total with `pages` allowed.
  let total = pages;
  while (total - Math.floor(total / ARCHIVED_EVERY) < pages) total += 1;
  const archived = total - pages;
  const listings = Math.ceil(total / PER_PAGE);
  return { pages, archived, total, listings };
}

/** True when product `i` sits under the robots-disallowed `/product/archive/`. */
export const isArchived = (i) => i % ARCHIVED_EVERY === ARCHIVED_EVERY - 1;

/** The path of product `i`. */
export const productPath = (i) => (isArchived(i) ? `/product/archive/${skuOf(i).toLowerCase()}.html` : `/product/${skuOf(i).toLowerCase()}.html`);

/** The path of listing page `n` (1-based). */
export const listingPath = (n) => `/catalogue/page-${n}.html`;

/** What a correct crawler extracts from product `i`. */
export function productFacts(i) {
  const random = lcg(Math.imul(i + 1, 2654435761) ^ 0x5bd1e995);
  const title = `${ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]} ${NOUNS[Math.floor(random() * NOUNS.length)]} ${i}`;
  const price = Math.round((2 + random() * 498) * 100) / 100;
  const rating = 1 + Math.floor(random() * 5);
  const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
  // Page size drawn in 20–60 KB; padding comes from description paragraphs and reviews.
  const targetBytes = 20_000 + Math.floor(random() * 40_000);
  const linkCount = 10 + Math.floor(random() * 21);
  return { sku: skuOf(i), title, price, rating, category, targetBytes, linkCount, seed: i * 104729 + 3 };
}

function sentence(random, words) {
  const parts = [];
  for (let k = 0; k < words; k++) parts.push(WORDS[Math.floor(random() * WORDS.length)]);
  const s = parts.join(' ');
  return s[0].toUpperCase() + s.slice(1) + '.';
}

function chrome(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} | Bench Shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/shop.css">
</head>
<body>
<header class="site-header"><a class="logo" href="/catalogue/page-1.html">Bench Shop</a>
<nav><ul class="nav"><li><a href="/catalogue/page-1.html">All products</a></li><li><a href="/cart/">Cart</a></li><li><a href="/cart/checkout">Checkout</a></li></ul></nav>
</header>
<main class="container">
${body}
</main>
<footer class="site-footer"><p>&copy; Bench Shop. Generated content for benchmarks.</p></footer>
</body>
</html>
`;
}

/** The HTML of product page `i`, for a site of `pages` allowed products. */
export function productHtml(i, pages) {
  const { total } = layout(pages);
  const f = productFacts(i);
  const random = lcg(f.seed);
  const related = [];
  // Nav and cart links count towards the 10–30 links; the rest are related products.
  for (let k = 0; k < f.linkCount - 5; k++) related.push(Math.floor(random() * total));
  const listing = Math.floor(i / PER_PAGE) + 1;
  const specs = [
    ['SKU', f.sku],
    ['Category', f.category],
    ['Weight', `${(0.2 + random() * 9).toFixed(2)} kg`],
    ['Dimensions', `${10 + Math.floor(random() * 90)} × ${10 + Math.floor(random() * 90)} × ${5 + Math.floor(random() * 40)} cm`],
    ['Colour', ['black', 'white', 'red', 'blue', 'green', 'grey'][Math.floor(random() * 6)]],
    ['Warranty', `${1 + Math.floor(random() * 5)} years`],
    ['Stock', `${Math.floor(random() * 200)}`],
  ];
  const head = `<ul class="breadcrumb"><li><a href="/catalogue/page-1.html">Home</a></li><li><a href="${listingPath(listing)}">${f.category}</a></li><li class="active">${escapeHtml(f.title)}</li></ul>
<article class="product" itemscope itemtype="https://schema.org/Product">
<div class="product-main">
<h1 class="product-title" itemprop="name">${escapeHtml(f.title)}</h1>
<p class="price" itemprop="price">£${f.price.toFixed(2)}</p>
<p class="star-rating ${RATINGS[f.rating - 1]}" data-rating="${f.rating}">${f.rating} out of 5</p>
<p class="sku">SKU: <span class="sku-value" itemprop="sku">${f.sku}</span></p>
<form class="add-to-cart" action="/cart/add" method="post"><input type="hidden" name="sku" value="${f.sku}"><button type="submit">Add to cart</button></form>
<a class="cart-link" href="/cart/add?sku=${f.sku}">Buy now</a>
</div>
<table class="specs table-striped">
${specs.map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</table>
<section class="related"><h2>Related products</h2><ul>
${related.map((r) => `<li><a class="related-link" href="${productPath(r)}">${escapeHtml(productFacts(r).title)}</a></li>`).join('\n')}
</ul></section>
<section id="description" class="description" itemprop="description"><h2>Description</h2>
`;
  const tail = `</section>
</article>`;
  let body = head;
  // Pad with description paragraphs, then reviews, up to the drawn size.
  const fixed = chrome(f.title, head + tail).length;
  let reviews = '<section class="reviews"><h2>Reviews</h2>\n';
  let size = fixed + reviews.length + 12;
  let paragraphs = 0;
  while (size < f.targetBytes) {
    if (paragraphs < 8) {
      const p = `<p>${sentence(random, 25 + Math.floor(random() * 40))} ${sentence(random, 20 + Math.floor(random() * 30))}</p>\n`;
      body += p;
      size += p.length;
      paragraphs += 1;
    } else {
      const r = `<div class="review"><span class="author">Customer ${Math.floor(random() * 9999)}</span> <span class="stars">${1 + Math.floor(random() * 5)}/5</span><p>${sentence(random, 15 + Math.floor(random() * 40))}</p></div>\n`;
      reviews += r;
      size += r.length;
    }
  }
  return chrome(f.title, body + tail + reviews + '</section>');
}

/** The HTML of listing page `n` (1-based). */
export function listingHtml(n, pages) {
  const { total, listings } = layout(pages);
  const items = [];
  for (let i = (n - 1) * PER_PAGE; i < Math.min(total, n * PER_PAGE); i++) {
    const f = productFacts(i);
    items.push(`<li class="product-card"><article class="product-pod">
<h3><a class="product-link" href="${productPath(i)}" title="${escapeHtml(f.title)}">${escapeHtml(f.title)}</a></h3>
<p class="price">£${f.price.toFixed(2)}</p><p class="star-rating ${RATINGS[f.rating - 1]}"></p>
<a class="cart-link" href="/cart/add?sku=${f.sku}">Add to cart</a>
</article></li>`);
  }
  const pager = [];
  if (n > 1) pager.push(`<li class="previous"><a href="${listingPath(n - 1)}">previous</a></li>`);
  pager.push(`<li class="current">Page ${n} of ${listings}</li>`);
  if (n < listings) pager.push(`<li class="next"><a rel="next" href="${listingPath(n + 1)}">next</a></li>`);
  return chrome(`All products, page ${n}`, `<h1>All products</h1>
<ol class="product-list">
${items.join('\n')}
</ol>
<ul class="pager">${pager.join('')}</ul>`);
}

/**
 * Every URL path the site serves with 200, mapped to its body. Precomputed once so that the
 * server does no work per request beyond a Map lookup.
 */
export function buildSite(pages) {
  const { total, listings } = layout(pages);
  const routes = new Map();
  routes.set('/robots.txt', { type: 'text/plain; charset=utf-8', body: Buffer.from(ROBOTS_TXT) });
  routes.set('/', { type: 'text/html; charset=utf-8', body: Buffer.from(chrome('Bench Shop', `<a href="${listingPath(1)}">All products</a>`)) });
  for (let n = 1; n <= listings; n++) routes.set(listingPath(n), { type: 'text/html; charset=utf-8', body: Buffer.from(listingHtml(n, pages)) });
  for (let i = 0; i < total; i++) routes.set(productPath(i), { type: 'text/html; charset=utf-8', body: Buffer.from(productHtml(i, pages)) });
  return routes;
}

/** The records a correct crawl produces, keyed by SKU. */
export function expectedRecords(pages) {
  const { total } = layout(pages);
  const out = new Map();
  for (let i = 0; i < total; i++) {
    if (isArchived(i)) continue;
    const f = productFacts(i);
    out.set(f.sku, { sku: f.sku, title: f.title, price: f.price, rating: f.rating });
  }
  return out;
}
