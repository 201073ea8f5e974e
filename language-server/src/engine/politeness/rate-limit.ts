/**
 * Reading an API's own rate-limit headers, so the crawler waits for the window to reset instead
 * of running into 429s. Understood forms:
 * - the IETF draft's `RateLimit: limit=100, remaining=0, reset=30` (one field) and the older
 *   separate `RateLimit-Remaining` / `RateLimit-Reset` (seconds until reset);
 * - the de-facto `X-RateLimit-Remaining` / `X-RateLimit-Reset`, whose reset is either seconds
 *   until reset or a Unix time in seconds (GitHub, Twitter) — a value larger than a day's seconds
 *   is read as a Unix time.
 * Only an exhausted budget (remaining 0) pauses the host; a budget that is merely low does not.
 */

/** The longest pause a rate-limit header may impose before it is treated as nonsense. */
const MAX_PAUSE_MS = 60 * 60 * 1000;
const ONE_DAY_S = 24 * 60 * 60;

/** Until when the host must not be asked again, and why; undefined when the headers allow more. */
export function rateLimitPause(headers: Record<string, string>, nowMs: number): { untilMs: number; reason: string } | undefined {
  let remaining: number | undefined;
  let resetS: number | undefined;
  let source = '';
  const structured = headers['ratelimit'];
  if (structured !== undefined) {
    // `limit=100, remaining=0, reset=30` (parameters may be separated by `,` or `;`).
    for (const part of structured.split(/[,;]/)) {
      const [key, value] = part.split('=').map((x) => x.trim().toLowerCase());
      if (key === 'remaining') remaining = number(value);
      if (key === 'reset') resetS = number(value);
    }
    source = 'RateLimit';
  }
  if (remaining === undefined) {
    for (const prefix of ['ratelimit-', 'x-ratelimit-']) {
      const r = number(headers[`${prefix}remaining`]);
      if (r === undefined) continue;
      remaining = r;
      resetS = number(headers[`${prefix}reset`]);
      source = prefix === 'ratelimit-' ? 'RateLimit-Remaining' : 'X-RateLimit-Remaining';
      break;
    }
  }
  if (remaining === undefined || remaining > 0 || resetS === undefined || resetS < 0) return undefined;
  const waitMs = resetS > ONE_DAY_S ? resetS * 1000 - nowMs : resetS * 1000;
  if (waitMs <= 0) return undefined;
  const capped = Math.min(waitMs, MAX_PAUSE_MS);
  return { untilMs: nowMs + capped, reason: `${source}: the API's request budget is spent; waiting ${Math.ceil(capped / 1000)} s for it to reset` };
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}
