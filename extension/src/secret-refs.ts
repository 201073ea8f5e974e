/**
 * `${secret:NAME}` references in spec text and the environment variables that carry them to a
 * run, without VS Code, so that the checks run in plain unit tests.
 */

/** The names a `${secret:NAME}` reference accepts (the spec parser's rule). */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment variable that carries secret `name` to a run child. */
export function secretEnvName(name: string): string {
  return `GLEANER_SECRET_${name}`;
}

/** The `${secret:NAME}` names referenced in a text (a plain scan; no YAML parsing here). */
export function referencedSecretNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(match[1]);
  return [...names].sort();
}

/**
 * The `${secret:NAME}` names a spec references that a run could not resolve: neither stored nor in
 * the environment (`GLEANER_SECRET_<NAME>`, then `NAME`, as the CLI reads them). Comments are
 * left out, so that a commented-out header does not block a run.
 */
export function unresolvedSecretNames(specText: string, stored: readonly string[], env: Record<string, string | undefined>): string[] {
  // A `#` after a space or at the start of a line starts a YAML comment. A quoted `" #"` is cut
  // too; that only hides a name from this early check, and the CLI still reports it.
  const code = specText.split(/\r?\n/).map((line) => line.replace(/(^|\s)#.*$/, '')).join('\n');
  const have = new Set(stored);
  return referencedSecretNames(code).filter((name) => !have.has(name) && env[secretEnvName(name)] === undefined && env[name] === undefined);
}
