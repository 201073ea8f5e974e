/**
 * The one function that writes webview HTML. Every page gets a fresh nonce from `crypto`, a CSP
 * of `default-src 'none'` that allows only the nonce'd script and the extension's own styles and
 * images, no inline script, and its initial state as escaped JSON in a `data-` attribute. No
 * vscode import, so the escaping can be checked under plain Node.
 */
import { randomBytes } from 'node:crypto';

/** What a webview page is made of. URIs are already webview URIs (`asWebviewUri`). */
export interface WebviewPage {
  /** `webview.cspSource`. */
  cspSource: string;
  title: string;
  scriptUri: string;
  styleUris: string[];
  /** Serialised with JSON.stringify and escaped into `data-initial-state`. */
  initialState: unknown;
}

/** A nonce for one render: 128 random bits, base64. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The Content-Security-Policy of every Gleaner webview. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${cspSource}; img-src ${cspSource} data:`;
}

/** Renders the page. */
export function renderWebviewHtml(page: WebviewPage, nonce: string = createNonce()): string {
  const state = escapeHtml(JSON.stringify(page.initialState ?? null));
  const styles = page.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(page.cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeHtml(page.title)}</title>
  </head>
  <body data-initial-state="${state}">
    <main id="root"></main>
    <script type="module" nonce="${escapeHtml(nonce)}" src="${escapeHtml(page.scriptUri)}"></script>
  </body>
</html>`;
}
