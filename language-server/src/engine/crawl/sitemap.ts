/**
 * Sitemap seeding: the `<loc>` URLs of a sitemap (RFC-less but universal sitemaps.org format),
 * and whether it is an index of further sitemaps.
 */

/** The URLs a sitemap lists, and whether it is a sitemap index. Never throws. */
export function parseSitemap(xml: string): { urls: string[]; isIndex: boolean } {
  const isIndex = /<sitemapindex[\s>]/i.test(xml);
  const urls: string[] = [];
  const re = /<loc>\s*([^<]+?)\s*<\/loc>/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml)) !== null && urls.length < 50_000) {
    urls.push(decodeXmlEntities(m[1]));
  }
  return { urls, isIndex };
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] ?? '');
}
