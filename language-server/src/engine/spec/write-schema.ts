/**
 * Rewrites the files generated from the descriptor table: schema/collect.schema.json and the
 * generated sections of docs/spec-format.md.
 * Run: `node --import tsx language-server/src/engine/spec/write-schema.ts`.
 * A script, not engine logic: it is the one file here that writes to disk.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { updateGeneratedSections } from './reference';
import { jsonSchemaText } from './schema';

const root = resolve(__dirname, '../../../..');
const schema = resolve(root, 'schema/collect.schema.json');
writeFileSync(schema, jsonSchemaText());
const docs = resolve(root, 'docs/spec-format.md');
writeFileSync(docs, updateGeneratedSections(readFileSync(docs, 'utf8')));
process.stdout.write(`wrote ${schema} and ${docs}\n`);
