/**
 * Resolving `${env:NAME}` / `${secret:NAME}` references in spec strings at run time. Every value
 * resolved is handed to the redactor, so it is scrubbed from whatever the run writes.
 */
import type { Redactor } from '../output/index';
import type { SecretResolver } from '../ports';

const REFERENCE = /\$\{(env|secret):([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A reference that could not be resolved. */
export class MissingSecretError extends Error {
  constructor(
    readonly kind: 'env' | 'secret',
    readonly secretName: string,
  ) {
    super(`\${${kind}:${secretName}} is not set`);
    this.name = 'MissingSecretError';
  }
}

/** Resolves templated strings and registers every resolved secret with the redactor. */
export class TemplateResolver {
  constructor(
    private readonly secrets: SecretResolver,
    private readonly redactor: Redactor,
  ) {}

  /** `text` with every reference replaced; throws MissingSecretError when one is not set. */
  resolve(text: string): string {
    return text.replace(REFERENCE, (_match, kind: 'env' | 'secret', name: string) => {
      const value = this.secrets.resolve(kind, name);
      if (value === undefined) throw new MissingSecretError(kind, name);
      this.redactor.add(value);
      return value;
    });
  }

  /** Resolves every string value of a record. */
  resolveAll(values: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) out[k] = this.resolve(v);
    return out;
  }
}
