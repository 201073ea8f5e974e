/**
 * `croissant.json`: a Croissant 1.1 JSON-LD description of the run's dataset (schema.org
 * Dataset + the `cr` vocabulary + the Responsible-AI `rai` extension), pre-filled from the spec
 * and the run. Required properties: name, description, license, url, creator, datePublished,
 * conformsTo; plus distribution (FileObjects with sha256) and a RecordSet with a Field per column.
 */
import type { CollectionSpec, FieldType } from '../spec/model';
import { PARQUET_MEDIA_TYPE } from './manifest';
import type { RunManifest } from './manifest';

/** The URI a Croissant 1.1 document declares in `conformsTo`. */
export const CROISSANT_CONFORMS_TO = 'http://mlcommons.org/croissant/1.1';

/** The standard Croissant JSON-LD context (as the Croissant 1.x specification publishes it). */
export const CROISSANT_CONTEXT = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  citeAs: 'cr:citeAs',
  column: 'cr:column',
  conformsTo: 'dct:conformsTo',
  cr: 'http://mlcommons.org/croissant/',
  rai: 'http://mlcommons.org/croissant/RAI/',
  prov: 'http://www.w3.org/ns/prov#',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  dct: 'http://purl.org/dc/terms/',
  examples: { '@id': 'cr:examples', '@type': '@json' },
  extract: 'cr:extract',
  field: 'cr:field',
  fileProperty: 'cr:fileProperty',
  fileObject: 'cr:fileObject',
  fileSet: 'cr:fileSet',
  format: 'cr:format',
  includes: 'cr:includes',
  isLiveDataset: 'cr:isLiveDataset',
  jsonPath: 'cr:jsonPath',
  key: 'cr:key',
  md5: 'cr:md5',
  parentField: 'cr:parentField',
  path: 'cr:path',
  recordSet: 'cr:recordSet',
  references: 'cr:references',
  regex: 'cr:regex',
  repeated: 'cr:repeated',
  replace: 'cr:replace',
  sc: 'https://schema.org/',
  separator: 'cr:separator',
  source: 'cr:source',
  subField: 'cr:subField',
  transform: 'cr:transform',
} as const;

const DATA_TYPES: Record<FieldType, string> = {
  string: 'sc:Text',
  number: 'sc:Float',
  integer: 'sc:Integer',
  boolean: 'sc:Boolean',
  date: 'sc:Date',
  url: 'sc:URL',
};

/** The SPDX licence page URL(s) for an SPDX expression (one per licence id it names). */
export function spdxLicenceUrls(expression: string | undefined): string[] {
  if (!expression) return [];
  const ids = expression
    .replace(/[()]/g, ' ')
    .split(/\s+/)
    .filter((t) => t.length > 0 && !/^(AND|OR|WITH)$/i.test(t));
  const out: string[] = [];
  let afterWith = false;
  for (const token of expression.replace(/[()]/g, ' ').split(/\s+/)) {
    if (/^WITH$/i.test(token)) {
      afterWith = true;
      continue;
    }
    if (!ids.includes(token)) continue;
    // Exceptions (after WITH) are not licences; LicenseRef- ids have no SPDX page.
    if (!afterWith && !token.startsWith('LicenseRef-') && !token.startsWith('DocumentRef-')) {
      out.push(`https://spdx.org/licenses/${token.replace(/\+$/, '')}.html`);
    }
    afterWith = false;
  }
  return [...new Set(out)];
}

/**
 * The record fields a dataset has: the records spec's rules first, then every other field the
 * sources extract, then the derived fields. Extracted fields without a rule are kept in the
 * output, so they are described too.
 */
export function datasetFields(spec: CollectionSpec): { name: string; type: FieldType; description?: string }[] {
  const out = new Map<string, { name: string; type: FieldType; description?: string }>();
  for (const f of spec.records.fields) out.set(f.name, { name: f.name, type: f.type, description: f.required ? 'required' : undefined });
  for (const s of spec.sources) {
    const fields = s.kind === 'api' ? s.records.fields : (s.records?.fields ?? []);
    for (const f of fields) if (!out.has(f.name)) out.set(f.name, { name: f.name, type: f.type });
  }
  for (const d of spec.records.derived) if (!out.has(d.name)) out.set(d.name, { name: d.name, type: 'string', description: `derived from ${d.from}` });
  return [...out.values()];
}

/** Inputs for the Croissant document beyond spec and manifest. */
export interface CroissantOptions {
  /** Where the dataset lives (defaults to the run directory as a file URL). */
  url: string;
}

/** Builds the Croissant 1.1 JSON-LD object for a finished run. */
export function buildCroissant(spec: CollectionSpec, manifest: RunManifest, options: CroissantOptions): Record<string, unknown> {
  const kinds = new Set(spec.sources.map((s) => s.kind));
  const collectionTypes = [...(kinds.has('scrape') ? ['Web Scraping'] : []), ...(kinds.has('api') ? ['Web API'] : [])];
  const records = manifest.files.find((f) => f.role === 'records');
  const failed = manifest.files.find((f) => f.role === 'failed');
  const distribution = [records, failed]
    .filter((f): f is NonNullable<typeof f> => f !== undefined)
    .map((f) => ({
      '@type': 'cr:FileObject',
      '@id': f.path,
      name: f.path,
      description: f.role === 'records' ? 'The collected records.' : 'Records that failed validation, with field-level reasons.',
      contentUrl: f.path,
      contentSize: `${f.bytes} B`,
      encodingFormat: f.encoding_format,
      sha256: f.sha256,
    }));
  // CSV and Parquet records are read by column; JSON Lines records by JSONPath.
  const byColumn = records?.encoding_format === 'text/csv' || records?.encoding_format === PARQUET_MEDIA_TYPE;
  const fileId = records?.path ?? 'records.jsonl';
  const fields = datasetFields(spec).map((f) => ({
    '@type': 'cr:Field',
    '@id': `records/${f.name}`,
    name: f.name,
    ...(f.description ? { description: f.description } : {}),
    dataType: DATA_TYPES[f.type],
    source: { fileObject: { '@id': fileId }, extract: byColumn ? { column: f.name } : { jsonPath: `$.${f.name}` } },
  }));
  const licences = spdxLicenceUrls(spec.licence.spdx);
  const owner = spec.metadata.owner ?? '';
  const creatorUrl = /^https?:\/\//.test(owner) ? owner : undefined;
  const sourceUrls = manifest.sources.flatMap((s) => s.urls);
  return {
    '@context': CROISSANT_CONTEXT,
    '@type': 'sc:Dataset',
    name: spec.metadata.name || 'unnamed-collection',
    description: spec.metadata.description || `Collected by Gleaner from ${sourceUrls.join(', ')}`,
    conformsTo: CROISSANT_CONFORMS_TO,
    license: licences.length === 1 ? licences[0] : licences.length > 1 ? licences : (spec.licence.spdx ?? 'TODO: licence'),
    url: options.url,
    creator: { '@type': 'sc:Person', name: owner.replace(/\s*<[^>]*>\s*/, '').trim() || 'TODO: creator', ...(creatorUrl ? { url: creatorUrl } : {}) },
    datePublished: (manifest.ended_at ?? manifest.started_at).slice(0, 10),
    version: '1.0.0',
    isLiveDataset: false,
    ...(spec.licence.attribution ? { citeAs: spec.licence.attribution } : {}),
    keywords: ['web-collected', ...collectionTypes.map((t) => t.toLowerCase().replace(/\s+/g, '-'))],
    'rai:dataCollection': `Collected with Gleaner (${manifest.generator}) from ${sourceUrls.join(', ')} between ${manifest.started_at} and ${manifest.ended_at ?? 'now'}, as user agent "${manifest.user_agent}", obeying robots.txt: ${spec.politeness.robots === 'obey' ? 'yes' : 'no'}; ${manifest.counts.pages_fetched} pages fetched, ${manifest.counts.records} records kept, ${manifest.counts.failed} failed validation.`,
    'rai:dataCollectionType': collectionTypes,
    'rai:dataCollectionTimeframe': [manifest.started_at, manifest.ended_at ?? manifest.started_at],
    'rai:dataUseCases': spec.licence.intendedUse.join(', ') || 'TODO: intended uses',
    'rai:dataPreprocessingProtocol': 'Fields coerced to their declared types and validated; invalid records set aside in the failed-records file; duplicates removed by key and content hash.',
    'prov:wasGeneratedBy': { '@type': 'prov:Activity', 'prov:startedAtTime': manifest.started_at, 'prov:endedAtTime': manifest.ended_at, 'prov:used': sourceUrls },
    distribution,
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'records',
        name: 'records',
        description: `One record per item collected by ${spec.metadata.name || 'the spec'}.`,
        ...(spec.records.key.length > 0 ? { key: spec.records.key.map((k) => ({ '@id': `records/${k}` })) } : {}),
        field: fields,
      },
    ],
  };
}
