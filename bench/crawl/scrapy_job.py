"""The crawl benchmark's job for Scrapy (Debian python3-scrapy).

Start at the first listing page, follow pagination and product links (and related-product links
on product pages), obey robots.txt, extract title/price/rating/sku from each product page, and
write JSONL through Scrapy's feed exporter.

    python3 bench/crawl/scrapy_job.py --origin http://127.0.0.1:PORT --out records.jsonl \
        [--concurrency 16] [--user-agent UA]
"""
import argparse
import re

import scrapy
from scrapy.crawler import CrawlerProcess

PRICE = re.compile(r"(-?\d+\.\d{2})")


class ShopSpider(scrapy.Spider):
    """Listing pages → product pages; one item per product page."""

    name = "shop"

    def __init__(self, origin, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [origin + "/catalogue/page-1.html"]

    def parse(self, response):
        title = response.css("h1.product-title::text").get()
        if title:
            price = PRICE.search(response.css("div.product-main p.price::text").get() or "")
            rating = response.css("div.product-main p.star-rating::attr(data-rating)").get()
            yield {
                "url": response.url,
                "sku": (response.css("span.sku-value::text").get() or "").strip(),
                "title": title.strip(),
                "price": float(price.group(1)) if price else None,
                "rating": int(rating) if rating else None,
            }
            yield from response.follow_all(css="a.related-link", callback=self.parse)
        else:
            yield from response.follow_all(css="a.product-link, li.next a", callback=self.parse)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--origin", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--user-agent", default="GleanerBench/1.0 (+mailto:bench@example.org)")
    args = parser.parse_args()
    process = CrawlerProcess(
        settings={
            "USER_AGENT": args.user_agent,
            "ROBOTSTXT_OBEY": True,
            # Politeness off, the same pool size as the other crawlers. The per-domain limit
            # defaults to 8, which would halve Scrapy's concurrency on a one-host site.
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "CONCURRENT_REQUESTS_PER_IP": 0,
            "DOWNLOAD_DELAY": 0,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
            "RETRY_TIMES": 2,
            "DOWNLOAD_TIMEOUT": 30,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
            "FEEDS": {args.out: {"format": "jsonlines", "encoding": "utf8", "overwrite": True}},
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    process.crawl(ShopSpider, origin=args.origin)
    process.start()


if __name__ == "__main__":
    main()
