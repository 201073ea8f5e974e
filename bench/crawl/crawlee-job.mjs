// The crawl benchmark's job for Crawlee's CheerioCrawler: start at the first listing page, follow
// pagination and product links (and related-product links on product pages), obey robots.txt,
// extract title/price/rating/sku from each product page, write JSONL.
//
//   node bench/crawl/crawlee-job.mjs --origin http://127.0.0.1:PORT --out records.jsonl
//        [--concurrency 16] [--user-agent UA]
//
// Run by bench/crawl/run.mjs with CRAWLEE_STORAGE_DIR set to a temporary folder.
import { createWriteStream } from 'node:fs';
import { CheerioCrawler, Configuration, log, LogLevel } from '@crawlee/cheerio';

const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const origin = arg('--origin');
const outPath = arg('--out');
const concurrency = Number(arg('--concurrency', '16'));
const userAgent = arg('--user-agent', 'GleanerBench/1.0 (+mailto:bench@example.org)');
if (!origin || !outPath) {
  process.stderr.write('usage: crawlee-job.mjs --origin URL --out FILE [--concurrency N] [--user-agent UA]\n');
  process.exit(2);
}

log.setLevel(LogLevel.WARNING);
const out = createWriteStream(outPath);
let records = 0;

// Records go straight to a file, as the other two crawlers' feeds do; a Dataset would keep
// every item in the memory storage and charge Crawlee for memory the job does not need.
const crawler = new CheerioCrawler(
  {
    // Politeness off: a fixed pool of `concurrency` from the start, no autoscaling ramp-up that
    // would count against Crawlee's pages/s on a short crawl.
    minConcurrency: concurrency,
    maxConcurrency: concurrency,
    maxRequestRetries: 2,
    respectRobotsTxtFile: true,
    requestHandlerTimeoutSecs: 60,
    navigationTimeoutSecs: 30,
    maxRequestsPerCrawl: 1_000_000,
    preNavigationHooks: [
      (_context, gotOptions) => {
        // The same user agent as the other crawlers, and no HTTP cache anywhere.
        gotOptions.headers = { ...gotOptions.headers, 'user-agent': userAgent };
      },
    ],
    async requestHandler({ request, $, enqueueLinks }) {
      const title = $('h1.product-title').first().text().trim();
      if (title) {
        const priceText = $('div.product-main p.price').first().text();
        const price = Number((/(-?\d+\.\d{2})/.exec(priceText) ?? [])[1]);
        const rating = Number($('div.product-main p.star-rating').first().attr('data-rating'));
        const sku = $('span.sku-value').first().text().trim();
        out.write(`${JSON.stringify({ url: request.loadedUrl ?? request.url, sku, title, price, rating })}\n`);
        records += 1;
        await enqueueLinks({ selector: 'a.related-link' });
      } else {
        await enqueueLinks({ selector: 'a.product-link, li.next a' });
      }
    },
  },
  new Configuration({ persistStorage: false, purgeOnStart: true }),
);

await crawler.run([`${origin}/catalogue/page-1.html`]);
await new Promise((resolve) => out.end(resolve));
process.stderr.write(`crawlee: ${records} records\n`);
