/**
 * The conditional-request cache shared by the runs of one output directory. It remembers, per
 * request, the validators (ETag, Last-Modified) and the body (gzip-compressed) of the last 200
 * response, so a later run sends If-None-Match / If-Modified-Since and, on 304, reuses the body.
 *
 * Entries are keyed by a SHA-256 of method + URL, so a URL carrying an API key in its query
 * string never appears in the cache in clear.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readJsonFile, writeFileAtomic } from './atomic-write';
import { sha256Hex } from './provenance';

/** The name of the cache folder inside an output directory. */
export const HTTP_CACHE_DIR = '.gleaner-cache';

/** What the cache knows about one request. */
export interface CacheEntry {
  etag?: string;
  lastModified?: string;
  status: number;
  contentType?: string;
  /** File (inside the cache folder) holding the gzip-compressed body. */
  body: string;
  bytes: number;
  storedAt: string;
}

interface CacheIndex {
  version: 1;
  entries: Record<string, CacheEntry>;
}

/** A cached response body with its metadata. */
export interface CachedResponse extends CacheEntry {
  data: Uint8Array;
}

/** A per-output-directory HTTP cache of validators and compressed bodies. */
export class HttpCache {
  private dirty = false;
  private constructor(
    readonly dir: string,
    private readonly index: CacheIndex,
  ) {}

  /** Opens (creating lazily) the cache under `outputDir`. A corrupt index starts empty. */
  static async open(outputDir: string): Promise<HttpCache> {
    const dir = join(outputDir, HTTP_CACHE_DIR);
    let index: CacheIndex | undefined;
    try {
      index = await readJsonFile<CacheIndex>(join(dir, 'index.json'));
    } catch {
      // A corrupt index only costs a full re-fetch; the run must not fail because of it.
      index = undefined;
    }
    return new HttpCache(dir, index && index.version === 1 ? index : { version: 1, entries: {} });
  }

  /** The cache key of a request. */
  static key(method: string, url: string): string {
    return sha256Hex(`${method} ${url}`);
  }

  /** The validators for a request, if a previous response was stored. */
  validators(method: string, url: string): { etag?: string; lastModified?: string } | undefined {
    const e = this.index.entries[HttpCache.key(method, url)];
    if (!e || (e.etag === undefined && e.lastModified === undefined)) return undefined;
    return { etag: e.etag, lastModified: e.lastModified };
  }

  /** The stored response for a request (after a 304), or undefined if it is gone or unreadable. */
  async get(method: string, url: string): Promise<CachedResponse | undefined> {
    const e = this.index.entries[HttpCache.key(method, url)];
    if (!e) return undefined;
    try {
      const data = gunzipSync(await fs.readFile(join(this.dir, e.body)));
      return { ...e, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    } catch {
      // A missing or corrupt body means we cannot honour the 304; the caller refetches.
      return undefined;
    }
  }

  /** Stores a 200 response that carries a validator. Responses without one are not cached. */
  async put(method: string, url: string, response: { status: number; etag?: string; lastModified?: string; contentType?: string; body: Uint8Array }, now: number): Promise<void> {
    if (response.etag === undefined && response.lastModified === undefined) return;
    const key = HttpCache.key(method, url);
    const name = `${sha256Hex(response.body)}.gz`;
    await fs.mkdir(this.dir, { recursive: true });
    const path = join(this.dir, name);
    const exists = await fs.stat(path).then(() => true, () => false);
    if (!exists) await writeFileAtomic(path, gzipSync(response.body));
    this.index.entries[key] = {
      etag: response.etag,
      lastModified: response.lastModified,
      status: response.status,
      contentType: response.contentType,
      body: name,
      bytes: response.body.byteLength,
      storedAt: new Date(now).toISOString(),
    };
    this.dirty = true;
  }

  /** Writes the index atomically when something changed. */
  async save(): Promise<void> {
    if (!this.dirty) return;
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, 'index.json'), JSON.stringify(this.index));
    this.dirty = false;
  }
}
