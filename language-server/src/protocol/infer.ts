/**
 * "New Collection Spec from a URL": the custom LSP method behind `gleaner.createSpec` when the
 * user gives a URL. Declared once and imported by both sides (the server's
 * `features/infer-spec.ts` and the extension's `commands.ts`). Like `protocol/index.ts`, this
 * module imports only `vscode-languageserver-protocol`.
 */
import { RequestType } from 'vscode-languageserver-protocol';

/** Parameters of `gleaner/inferSpec`. */
export interface InferSpecParams {
  /** The page or API endpoint to start from: an absolute http(s) URL. */
  url: string;
  /**
   * The User-Agent to fetch with, to decide robots.txt for and to write into the spec. Absent or
   * blank: `GleanerBot/0.1 (+mailto:you@example.org)`, which the spec marks as a placeholder.
   */
  userAgent?: string;
}

/** The proposal: a complete `*.collect.yaml` text and what the inference is unsure of. */
export interface InferSpecProposal {
  ok: true;
  /** The spec text, ready to write to a file and open. */
  yaml: string;
  /** `scrape` for an HTML page, `api` for a JSON response. */
  kind: 'scrape' | 'api';
  /** Sentences for the user: what was guessed, what to check, what was refused or cut. */
  notes: string[];
  /** 0..1: how sure the inference is that it found the records. */
  confidence: number;
}

/** Why no proposal was made (robots.txt, the network switches, an invalid URL, a failed fetch). */
export interface InferSpecRefusal {
  ok: false;
  /** One or two sentences for the user. */
  reason: string;
}

/** Result of `gleaner/inferSpec`. */
export type InferSpecResult = InferSpecProposal | InferSpecRefusal;

/**
 * `gleaner/inferSpec` — request, client → server. Fetches `url` once, politely (robots.txt for
 * the user agent, the size cap and timeouts of a run), detects JSON or HTML and answers with a
 * proposed spec: for HTML the repeated structure (e.g. product cards) as records and its fields,
 * for JSON the array of records and their fields. Nothing is written: the extension decides the
 * file name and opens it. Refused with `ok: false` and no request at all when the workspace is
 * untrusted or `gleaner.network.enabled` is off; refused when robots.txt disallows the URL (the
 * reason names the robots.txt line). Loopback and private hosts are fetched (the demo site lives
 * on 127.0.0.1) and the proposal sets `allow_private_network: true` with a note saying so.
 */
export const inferSpec = {
  method: 'gleaner/inferSpec',
  type: new RequestType<InferSpecParams, InferSpecResult, void>('gleaner/inferSpec'),
} as const;
