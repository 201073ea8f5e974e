/**
 * Run diagnostics: per source and field, on how many pages (or API responses) a field matched
 * nothing, and whether each follow rule ever yielded a link. A selector that is valid but wrong
 * (a typo in a class name) does not fail a run; it quietly fills the dataset with defaults. These
 * counts let the run say so at the end, naming the spec path of the selector to fix.
 */
import type { ApiSource, ScrapeSource, SpecPath } from '../spec/model';

/** How one field fared over a run: pages that yielded records, and those where it matched nothing. */
export interface FieldStat {
  sourceId: string;
  field: string;
  /** Pages (or API responses) that yielded at least one record candidate. */
  pages: number;
  /** Of those, pages where the field matched in no record. */
  unmatched: number;
  /** Record candidates seen, and how many had a value for the field (defaults do not count). */
  records: number;
  matched: number;
  /** Where the field's selector (or JSONPath) is in the spec, e.g. `sources[1].records.fields.price.selector`. */
  specPath: string;
}

/** A finding about the spec from the run, with the spec path it is about. */
export interface FieldStatWarning {
  sourceId: string;
  /** The field, or undefined for a follow rule. */
  field?: string;
  specPath: string;
  /** `field-unmatched` or `follow-no-links`. */
  code: 'field-unmatched' | 'follow-no-links';
  message: string;
}

/** What one processed page contributes (from the extractor's result). */
export interface PageObservation {
  recordCount: number;
  matchCounts: Record<string, number>;
  /**
   * Links found per follow rule index (before depth limits), for scrape pages: each rule's own
   * links, also those an earlier rule found too (see `followLinksPerRule` in run-collection).
   */
  linksPerRule?: number[];
}

/**
 * The counters of some sources, as a checkpoint holds them, so that a resumed run's statistics
 * are those of an uninterrupted run: per source id, per field name
 * `[pages, unmatched, records, matched]`, and per follow rule (in spec order) `[pages, links]`.
 * Tuples keep a journal line, which carries the observed source's counters, short.
 */
export interface FieldStatsState {
  fields: Record<string, Record<string, [number, number, number, number]>>;
  follows: Record<string, [number, number][]>;
}

/** Folds `update` (the sources it names, carried whole) into `base`, in place; returns `base`. */
export function mergeFieldStatsState(base: FieldStatsState, update: FieldStatsState): FieldStatsState {
  for (const [id, fields] of Object.entries(update.fields)) base.fields[id] = fields;
  for (const [id, rules] of Object.entries(update.follows)) base.follows[id] = rules;
  return base;
}

/** A field unmatched on at least this share of pages is reported … */
export const UNMATCHED_SHARE = 0.9;
/** … once it was tried on at least this many pages. */
export const MIN_PAGES = 5;

/** Formats a spec path as `sources[1].records.fields.price.selector`. */
export function formatSpecPath(path: SpecPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out.length === 0 ? part : `.${part}`;
  }
  return out;
}

/** A counter read back from a checkpoint: a count, or 0 for anything else. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
}

interface FieldEntry extends FieldStat {
  order: number;
}

interface FollowEntry {
  sourceId: string;
  specPath: string;
  selector: string;
  pages: number;
  links: number;
}

/** Accumulates page observations for the sources of one run session. */
export class FieldStatsCollector {
  private readonly fields = new Map<string, Map<string, FieldEntry>>();
  private readonly follows = new Map<string, FollowEntry[]>();
  /** Sources observed since the last `takeDirty()`: what the next journal line must carry. */
  private dirty = new Set<string>();

  /** `sources` are the run's selected sources; their spec paths come from the model. */
  constructor(sources: readonly (ScrapeSource | ApiSource)[]) {
    let order = 0;
    for (const s of sources) {
      const byName = new Map<string, FieldEntry>();
      if (s.kind === 'scrape') {
        for (const f of s.records?.fields ?? []) {
          byName.set(f.name, { sourceId: s.id, field: f.name, pages: 0, unmatched: 0, records: 0, matched: 0, specPath: formatSpecPath(f.selector !== undefined ? [...f.path, 'selector'] : f.path), order: order++ });
        }
        this.follows.set(
          s.id,
          s.follow.map((rule) => ({ sourceId: s.id, selector: rule.selector, specPath: formatSpecPath([...rule.path, 'selector']), pages: 0, links: 0 })),
        );
      } else {
        for (const f of s.records.fields) {
          byName.set(f.name, { sourceId: s.id, field: f.name, pages: 0, unmatched: 0, records: 0, matched: 0, specPath: formatSpecPath([...f.specPath, 'path']), order: order++ });
        }
      }
      this.fields.set(s.id, byName);
    }
  }

  /**
   * Restores the counters of a checkpoint. Entries for sources or fields the collector does not
   * know are ignored (a resume runs the run directory's own copy of the spec, so there are none
   * unless that copy was edited by hand).
   */
  restore(state: FieldStatsState): void {
    for (const [id, fields] of Object.entries(state.fields)) {
      const byName = this.fields.get(id);
      if (!byName) continue;
      for (const [name, counters] of Object.entries(fields)) {
        const entry = byName.get(name);
        if (!entry || !Array.isArray(counters)) continue;
        [entry.pages, entry.unmatched, entry.records, entry.matched] = [0, 1, 2, 3].map((i) => count(counters[i]));
      }
    }
    for (const [id, rules] of Object.entries(state.follows)) {
      const entries = this.follows.get(id);
      if (!entries || !Array.isArray(rules)) continue;
      for (const [i, counters] of rules.entries()) {
        const entry = entries[i];
        if (!entry || !Array.isArray(counters)) continue;
        [entry.pages, entry.links] = [0, 1].map((i) => count(counters[i]));
      }
    }
  }

  /** Every counter, for a checkpoint snapshot. */
  snapshot(): FieldStatsState {
    return this.stateOf([...this.fields.keys()]);
  }

  /** The counters of the sources observed since the last call, for a journal line; undefined when none. */
  takeDirty(): FieldStatsState | undefined {
    if (this.dirty.size === 0) return undefined;
    const state = this.stateOf([...this.dirty]);
    this.dirty = new Set();
    return state;
  }

  private stateOf(sourceIds: readonly string[]): FieldStatsState {
    const state: FieldStatsState = { fields: {}, follows: {} };
    for (const id of sourceIds) {
      const byName = this.fields.get(id);
      if (byName) state.fields[id] = Object.fromEntries([...byName.values()].map((e) => [e.field, [e.pages, e.unmatched, e.records, e.matched]]));
      const rules = this.follows.get(id);
      if (rules && rules.length > 0) state.follows[id] = rules.map((r) => [r.pages, r.links]);
    }
    return state;
  }

  /** Whether follow rule `index` of `sourceId` has yielded a link on some page already. */
  followYielded(sourceId: string, index: number): boolean {
    return (this.follows.get(sourceId)?.[index]?.links ?? 0) > 0;
  }

  /** Counts one processed page of `sourceId`. */
  observe(sourceId: string, page: PageObservation): void {
    if (this.fields.has(sourceId)) this.dirty.add(sourceId);
    const follows = this.follows.get(sourceId);
    if (follows && page.linksPerRule) {
      for (const [i, rule] of follows.entries()) {
        rule.pages += 1;
        rule.links += page.linksPerRule[i] ?? 0;
      }
    }
    // A page with no record candidates says nothing about the fields (the record selector's own
    // per-page warning covers it).
    if (page.recordCount <= 0) return;
    for (const entry of this.fields.get(sourceId)?.values() ?? []) {
      const matched = page.matchCounts[entry.field] ?? 0;
      entry.pages += 1;
      entry.records += page.recordCount;
      entry.matched += matched;
      if (matched === 0) entry.unmatched += 1;
    }
  }

  /** The stats of every field, in spec order. */
  stats(): FieldStat[] {
    return [...this.fields.values()]
      .flatMap((m) => [...m.values()])
      .sort((a, b) => a.order - b.order)
      .map(({ order, ...stat }) => {
        void order;
        return stat;
      });
  }

  /** Fields unmatched on ≥ 90 % of ≥ 5 pages, and follow rules that never yielded a link. */
  warnings(): FieldStatWarning[] {
    const out: FieldStatWarning[] = [];
    for (const s of this.stats()) {
      if (s.pages < MIN_PAGES || s.unmatched < s.pages * UNMATCHED_SHARE) continue;
      const percent = Math.round((s.unmatched * 100) / s.pages);
      out.push({
        sourceId: s.sourceId,
        field: s.field,
        specPath: s.specPath,
        code: 'field-unmatched',
        message: `source ${s.sourceId}: field \`${s.field}\` matched nothing on ${s.unmatched} of ${s.pages} pages (${percent} %); check ${s.specPath}`,
      });
    }
    for (const rules of this.follows.values()) {
      for (const r of rules) {
        if (r.pages === 0 || r.links > 0) continue;
        out.push({
          sourceId: r.sourceId,
          specPath: r.specPath,
          code: 'follow-no-links',
          message: `source ${r.sourceId}: follow rule \`${r.selector}\` yielded no link on ${r.pages} page${r.pages === 1 ? '' : 's'}; check ${r.specPath}`,
        });
      }
    }
    return out;
  }
}
