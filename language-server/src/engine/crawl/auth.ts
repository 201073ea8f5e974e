/**
 * API authentication: API key (header or query), bearer token, HTTP basic, and OAuth2 client
 * credentials. The OAuth2 access token is cached and refreshed shortly before it expires; every
 * credential and token is registered with the redactor, so none is ever logged or written.
 */
import type { Redactor } from '../output/index';
import type { Clock } from '../ports';
import type { AuthSpec } from '../spec/model';
import type { TemplateResolver } from './templating';

/** Sends the token request; returns the status and body text, or an error message. */
export type TokenRequester = (url: string, headers: Record<string, string>, body: string) => Promise<{ status: number; text: string } | { error: string }>;

/** How a request must be changed to carry the credentials. */
export interface AuthApplied {
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** An authentication failure the run cannot recover from (bad credentials, token endpoint down). */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/** Refresh a token this long before it expires, so a request never goes out with a stale one. */
const REFRESH_MARGIN_MS = 30_000;

/** Applies one source's auth to its requests. */
export class Authenticator {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly auth: AuthSpec,
    private readonly templates: TemplateResolver,
    private readonly redactor: Redactor,
    private readonly clock: Clock,
    private readonly requestToken: TokenRequester,
  ) {}

  /** Headers and query parameters carrying the credentials. Throws AuthError or MissingSecretError. */
  async apply(): Promise<AuthApplied> {
    const a = this.auth;
    switch (a.type) {
      case 'none':
        return { headers: {}, query: {} };
      case 'api_key': {
        const value = this.templates.resolve(a.value);
        return a.in === 'header' ? { headers: { [a.name.toLowerCase()]: value }, query: {} } : { headers: {}, query: { [a.name]: value } };
      }
      case 'bearer':
        return { headers: { authorization: `Bearer ${this.templates.resolve(a.token)}` }, query: {} };
      case 'basic':
        return { headers: { authorization: this.basic(this.templates.resolve(a.username), this.templates.resolve(a.password)) }, query: {} };
      case 'oauth2':
        return { headers: { authorization: `Bearer ${await this.oauthToken()}` }, query: {} };
    }
  }

  /** Forgets the cached token (after a 401), so the next request fetches a new one. */
  invalidate(): void {
    this.token = undefined;
  }

  private basic(user: string, password: string): string {
    const encoded = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
    this.redactor.add(encoded);
    return `Basic ${encoded}`;
  }

  private oauthToken(): Promise<string> {
    if (this.token && this.clock.now() < this.token.expiresAt - REFRESH_MARGIN_MS) return Promise.resolve(this.token.value);
    // Concurrent requests share one token fetch.
    if (!this.pending) {
      this.pending = this.fetchToken().finally(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    if (this.auth.type !== 'oauth2') throw new AuthError('not an OAuth2 source');
    const clientId = this.templates.resolve(this.auth.clientId);
    const clientSecret = this.templates.resolve(this.auth.clientSecret);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.auth.scope) form.set('scope', this.auth.scope);
    const headers = {
      authorization: this.basic(encodeURIComponent(clientId), encodeURIComponent(clientSecret)),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const result = await this.requestToken(this.auth.tokenUrl, headers, form.toString());
    if ('error' in result) throw new AuthError(`OAuth2 token request to ${this.auth.tokenUrl} failed: ${result.error}`);
    if (result.status !== 200) throw new AuthError(`OAuth2 token request to ${this.auth.tokenUrl} answered ${result.status}`);
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(result.text) as typeof body;
    } catch {
      throw new AuthError(`OAuth2 token response from ${this.auth.tokenUrl} is not JSON`);
    }
    if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
      throw new AuthError(`OAuth2 token response from ${this.auth.tokenUrl} has no access_token`);
    }
    this.redactor.add(body.access_token);
    // No expires_in: assume an hour (RFC 6749 leaves it optional); the 401 path refreshes anyway.
    const lifetimeMs = typeof body.expires_in === 'number' && body.expires_in >= 0 ? body.expires_in * 1000 : 3600_000;
    this.token = { value: body.access_token, expiresAt: this.clock.now() + lifetimeMs };
    return body.access_token;
  }
}
