/** The human-readable end-of-run summary the CLI prints. */
import { readFileSync } from 'node:fs';
import type { RunManifest, RunSummary } from '../engine/index';

function entries(map: Record<string, number>): string {
  const e = Object.entries(map).filter(([, n]) => n > 0);
  return e.length === 0 ? 'none' : e.map(([k, n]) => `${k} ${n}`).join(', ');
}

/** Reads a run's failed-records file and returns up to `limit` "url: reason" lines. */
function failedReasons(path: string, limit: number): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (out.length >= limit) break;
    if (line.trim() === '') continue;
    try {
      const f = JSON.parse(line) as { source_url?: string; reason?: string };
      out.push(`${f.source_url ?? '?'}: ${f.reason ?? 'invalid'}`);
    } catch {
      out.push('(unreadable line)');
    }
  }
  return out;
}

/** The summary text of one run (several lines, ending in a newline). */
export function formatSummary(title: string, summary: RunSummary): string {
  let manifest: RunManifest | undefined;
  try {
    manifest = JSON.parse(readFileSync(summary.files.manifest, 'utf8')) as RunManifest;
  } catch {
    manifest = undefined;
  }
  const c = summary.counts;
  const lines = [
    `${title}: ${summary.status}${summary.reason ? ` (${summary.reason})` : ''} in ${(summary.durationMs / 1000).toFixed(1)}s`,
    `  records:    ${c.records}`,
    `  failed:     ${c.failed}`,
  ];
  for (const r of failedReasons(summary.files.failed, 5)) lines.push(`              ${r}`);
  lines.push(`  duplicates: ${entries(c.duplicates)}`);
  lines.push(`  skipped:    ${entries(c.skipped)}`);
  for (const s of (manifest?.skips ?? []).filter((x) => x.reason === 'robots').slice(0, 5)) {
    lines.push(`              robots: ${s.url}${s.detail ? ` (${s.detail})` : ''}`);
  }
  lines.push(`  pages:      ${c.pages_fetched} fetched, ${c.not_modified} not modified, ${c.retries} retries, ${c.errors} errors`);
  for (const r of manifest?.robots ?? []) {
    lines.push(`  robots.txt: ${r.origin} ${r.verdict} (${r.basis})${r.crawl_delay_ms !== undefined ? `, crawl-delay ${r.crawl_delay_ms} ms` : ''}`);
  }
  lines.push(`  output:     ${summary.files.records}`);
  lines.push(`  manifest:   ${summary.files.manifest}`);
  lines.push(`  datasheet:  ${summary.files.datasheet}`);
  lines.push(`  croissant:  ${summary.files.croissant}`);
  return `${lines.join('\n')}\n`;
}
