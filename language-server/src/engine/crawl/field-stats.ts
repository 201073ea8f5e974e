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
  /** Links found per follow rule index (before depth limits), for scrape pages. */
  linksPerRule?: number[];
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

  /** Counts one processed page of `sourceId`. */
  observe(sourceId: string, page: PageObservation): void {
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
