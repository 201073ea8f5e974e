/**
 * URL checks: well-formedness, scheme, and whether a host is loopback, private or link-local
 * (which a crawler must not reach unless the spec allows it, to avoid SSRF-style surprises).
 */
import { isIP } from 'node:net';

/** The outcome of checking one URL. */
export type UrlVerdict =
  | { ok: true; url: URL; hostClass: HostClass }
  | { ok: false; code: 'invalid-url' | 'unsupported-scheme'; message: string };

/** Where a host points: the public internet, or somewhere a crawler should not go by default. */
export type HostClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified';

function ipv4Class(ip: string): HostClass {
  const [a, b] = ip.split('.').map(Number);
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  return 'public';
}

function ipv6Class(ip: string): HostClass {
  const lower = ip.toLowerCase();
  if (lower === '::1') return 'loopback';
  if (lower === '::') return 'unspecified';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return ipv4Class(mapped[1]);
  // WHATWG URL writes IPv4-mapped addresses in hex (::ffff:7f00:1).
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return ipv4Class(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (/^f[cd][0-9a-f]{0,2}:/.test(lower)) return 'private';
  if (/^fe[89ab][0-9a-f]?:/.test(lower)) return 'link-local';
  return 'public';
}

/** Classifies a URL hostname (as `URL.hostname` gives it: IPv6 in brackets). */
export function classifyHost(hostname: string): HostClass {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const kind = isIP(host);
  if (kind === 4) return ipv4Class(host);
  if (kind === 6) return ipv6Class(host);
  return 'public';
}

/**
 * Checks a URL written in a spec. `${…}` references are masked first; a URL that starts with a
 * reference (its scheme and host come from the environment) cannot be judged and passes.
 */
export function checkUrl(value: string): UrlVerdict | undefined {
  if (/^\s*\$\{/.test(value)) return undefined;
  const masked = value.replace(/\$\{[^}]{0,200}\}/g, 'x');
  let url: URL;
  try {
    url = new URL(masked);
  } catch {
    return { ok: false, code: 'invalid-url', message: `\`${value.length > 80 ? value.slice(0, 77) + '...' : value}\` is not a valid absolute URL.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, code: 'unsupported-scheme', message: `The \`${url.protocol}\` scheme is not supported; use an http:// or https:// URL.` };
  }
  return { ok: true, url, hostClass: classifyHost(url.hostname) };
}
