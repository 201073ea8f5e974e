/**
 * The tag values (`kind` of a source, `type` of auth and pagination) that decide which keys a
 * tagged mapping allows, read from the parsed model so hover and completion show the keys of the
 * variant the user chose.
 */
import type { SpecParseResult, SpecPath } from '../engine/spec';
import { samePath } from './spec-paths';

/** A `tagAt` function for the spec engine's describe/complete calls. */
export function tagLookup(result: SpecParseResult): (path: SpecPath) => unknown {
  return (path) => {
    for (const source of result.model.sources) {
      if (samePath(source.path, path)) return source.kind;
      if (source.kind !== 'api') continue;
      if (samePath([...source.path, 'auth'], path)) return source.auth.type;
      if (samePath([...source.path, 'pagination'], path)) return source.pagination.type;
    }
    return undefined;
  };
}
