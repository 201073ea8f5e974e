// Which `${secret:NAME}` references a run could not resolve: checked before the CLI starts, so
// that the user is offered Set Secret instead of a CLI error about the environment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referencedSecretNames, secretEnvName, unresolvedSecretNames } from '../../../extension/src/secret-refs';

const SPEC = [
  'sources:',
  '  - id: api',
  '    request:',
  '      headers:',
  '        X-Key: ${secret:API_KEY}',
  '        X-Other: "${secret:OTHER} and ${secret:API_KEY}"',
  '#       X-Old: ${secret:COMMENTED_OUT}',
  '        X-Note: x # ${secret:IN_TRAILING_COMMENT}',
  '        X-Url: http://h/#${secret:IN_FRAGMENT}',
].join('\n');

void describe('secret references', () => {
  void it('lists each referenced name once, sorted', () => {
    assert.deepEqual(referencedSecretNames('${secret:B} ${secret:A} ${secret:B} ${secret:9bad} ${env:C}'), ['A', 'B']);
  });

  void it('reports the names neither stored nor in the environment, ignoring comments', () => {
    assert.deepEqual(unresolvedSecretNames(SPEC, [], {}), ['API_KEY', 'IN_FRAGMENT', 'OTHER']);
    assert.deepEqual(unresolvedSecretNames(SPEC, ['API_KEY'], {}), ['IN_FRAGMENT', 'OTHER']);
    // The CLI reads GLEANER_SECRET_<NAME> first, then NAME itself.
    assert.deepEqual(unresolvedSecretNames(SPEC, [], { [secretEnvName('OTHER')]: 'x', API_KEY: 'y', IN_FRAGMENT: '' }), []);
  });

  void it('works on CRLF text', () => {
    assert.deepEqual(unresolvedSecretNames(SPEC.replace(/\n/g, '\r\n'), ['API_KEY', 'OTHER'], {}), ['IN_FRAGMENT']);
  });
});
