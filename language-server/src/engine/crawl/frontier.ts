/**
 * The crawl frontier: what is still to fetch, what is being fetched, and every key ever queued
 * (so a URL is fetched once per run). Its snapshot goes into every checkpoint; items in flight
 * are saved as pending, so a resume after a crash refetches exactly those.
 */
import type { PageState } from './pagination';

/** One unit of work. */
export type FrontierItem =
  | { kind: 'page'; sourceId: string; url: string; depth: number; referrer?: string }
  | { kind: 'sitemap'; sourceId: string; url: string }
  | { kind: 'api'; sourceId: string; page: PageState };

/** The frontier's JSON-safe state. */
export interface FrontierState {
  pending: FrontierItem[];
  seen: string[];
}

/** The identity of an item: a URL is fetched once per run whichever link led to it. */
export function itemKey(item: FrontierItem): string {
  switch (item.kind) {
    case 'page':
      return item.url;
    case 'sitemap':
      return `sitemap ${item.url}`;
    case 'api':
      return `api ${item.sourceId} ${item.page.index}`;
  }
}

/** A FIFO frontier with a seen set and an in-flight set. */
export class Frontier {
  private queue: FrontierItem[] = [];
  private head = 0;
  private readonly seen = new Set<string>();
  private readonly inFlight = new Map<FrontierItem, true>();

  /** A frontier restored from a checkpoint. */
  static restore(state: FrontierState): Frontier {
    const f = new Frontier();
    for (const key of state.seen) f.seen.add(key);
    f.queue = [...state.pending];
    return f;
  }

  /** Queues `item` unless its key was queued before; returns whether it was queued. */
  push(item: FrontierItem): boolean {
    const key = itemKey(item);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.queue.push(item);
    return true;
  }

  /** Whether `key` was ever queued. */
  has(key: string): boolean {
    return this.seen.has(key);
  }

  /** Takes the next item and marks it in flight. */
  take(): FrontierItem | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head];
    this.head += 1;
    // Compact now and then so a long crawl does not keep every item ever taken.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.inFlight.set(item, true);
    return item;
  }

  /** Marks an item taken by `take` as finished. */
  done(item: FrontierItem): void {
    this.inFlight.delete(item);
  }

  /** Removes and returns every queued item (not those in flight). */
  drain(): FrontierItem[] {
    const rest = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    return rest;
  }

  /** Items queued, not in flight. */
  get pendingCount(): number {
    return this.queue.length - this.head;
  }

  /** Items being fetched. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The state to checkpoint: in-flight items first (they were taken first), then the queue. */
  snapshot(): FrontierState {
    return { pending: [...this.inFlight.keys(), ...this.queue.slice(this.head)], seen: [...this.seen] };
  }
}
