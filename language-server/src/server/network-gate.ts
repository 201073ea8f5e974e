/**
 * Whether the server may touch the network. Two switches must both be on: Workspace Trust
 * (the client's `initializationOptions.trusted`, later `gleaner/setTrusted`) and the user's
 * `gleaner.network.enabled` setting. Anything that fetches asks `allowed()` immediately before
 * each request, so turning either switch off stops requests that were only queued.
 */
import { HttpFailure, type HttpClient } from '../engine/index';
import { DEFAULT_SETTINGS, type GleanerSettings } from '../protocol';

/** A listener told when `allowed()` may have changed. */
export type GateListener = (allowed: boolean) => void;

/** The two network switches and who listens to them. */
export class NetworkGate {
  private trusted: boolean;
  private settings: GleanerSettings = DEFAULT_SETTINGS;
  /** True while the client's settings are being fetched: the user may have turned the network off. */
  private settingsPending = false;
  private readonly listeners = new Set<GateListener>();

  /** @param trusted the initial trust; absent means untrusted, because failing closed is the safe default. */
  constructor(trusted: boolean | undefined) {
    this.trusted = trusted === true;
  }

  /** True when requests are allowed right now. */
  allowed(): boolean {
    return this.trusted && !this.settingsPending && this.settings.network.enabled;
  }

  /**
   * Holds the network closed until `setSettings` is called. Used when the client can answer
   * `workspace/configuration`: between `initialize` and that answer the default (enabled) would
   * otherwise win, and a user who turned the network off would see a request go out.
   */
  expectSettings(): void {
    this.update(() => {
      this.settingsPending = true;
    });
  }

  /** Records the client's Workspace Trust. */
  setTrusted(trusted: boolean): void {
    this.update(() => {
      this.trusted = trusted;
    });
  }

  /** Records the settings read from the client; missing or malformed values fall back to the defaults. */
  setSettings(raw: unknown): void {
    this.update(() => {
      this.settings = normaliseSettings(raw);
      this.settingsPending = false;
    });
  }

  /** Calls `listener` after every change of `allowed()`. Returns an unsubscribe function. */
  onDidChange(listener: GateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(change: () => void): void {
    const before = this.allowed();
    change();
    const after = this.allowed();
    if (before !== after) for (const listener of this.listeners) listener(after);
  }
}

/** `GleanerSettings` from whatever the client sent for the `gleaner` section. */
export function normaliseSettings(raw: unknown): GleanerSettings {
  const network = isRecord(raw) && isRecord(raw.network) ? raw.network : undefined;
  const enabled = network && typeof network.enabled === 'boolean' ? network.enabled : DEFAULT_SETTINGS.network.enabled;
  return { network: { enabled } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An HTTP client that asks the gate before every single request (robots.txt and token requests
 * included) and refuses with a `blocked` failure while it is closed. The inner client is created
 * on the first allowed request, so an untrusted workspace never even opens a connection pool.
 */
export function gatedHttpClient(gate: NetworkGate, create: () => HttpClient, refusal: string): HttpClient {
  let inner: HttpClient | undefined;
  return {
    request(request) {
      if (!gate.allowed()) return Promise.reject(new HttpFailure('blocked', request.url, refusal));
      return (inner ??= create()).request(request);
    },
    close: async () => {
      await inner?.close();
      inner = undefined;
    },
  };
}
