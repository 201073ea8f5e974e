/**
 * Secret redaction. Every resolved `${env:…}` / `${secret:…}` value is registered here, and every
 * string a run writes (records, failed records, manifest, logs, events) passes through `redact`,
 * so a secret echoed by an API or embedded in a URL never reaches disk in clear.
 */

/** The text that replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Values shorter than this are not redacted: replacing "1" or "ab" everywhere would wreck data. */
const MIN_SECRET_LENGTH = 4;

/** Replaces registered secret values (and their URL- and JSON-encoded forms) in strings. */
export class Redactor {
  private readonly needles = new Set<string>();

  /** Registers the resolved value of a secret. */
  add(secret: string | undefined): void {
    if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
    this.needles.add(secret);
    this.needles.add(encodeURIComponent(secret));
    this.needles.add(JSON.stringify(secret).slice(1, -1));
    // Basic auth puts `user:password` base64-encoded in a header; catch that form too.
    this.needles.add(Buffer.from(secret, 'utf8').toString('base64'));
  }

  /** How many distinct forms are registered (for tests and diagnostics). */
  get size(): number {
    return this.needles.size;
  }

  /** `text` with every registered secret replaced by `[REDACTED]`. */
  redact(text: string): string {
    if (this.needles.size === 0) return text;
    let out = text;
    // Longest first, so that a secret containing another is replaced whole.
    for (const needle of [...this.needles].sort((a, b) => b.length - a.length)) {
      if (needle.length >= MIN_SECRET_LENGTH && out.includes(needle)) out = out.split(needle).join(REDACTED);
    }
    return out;
  }

  /**
   * A deep copy of `value` with every string (keys included) redacted, and every number equal to
   * a secret (an API echoing a numeric key as a JSON number) replaced by `[REDACTED]`; `value`
   * itself when no secret is registered. Numbers are matched whole, not by their digits: a
   * four-digit secret must not rewrite every price that happens to contain it.
   */
  redactDeep<T>(value: T): T {
    // Without secrets there is nothing to replace, and no need to copy every record a run writes.
    return this.needles.size === 0 ? value : (this.walk(value) as T);
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value === 'number' || typeof value === 'bigint') return this.needles.has(String(value)) ? REDACTED : value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.walk(v);
      return out;
    }
    return value;
  }
}
