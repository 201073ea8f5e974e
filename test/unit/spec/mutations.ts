// Seeded mutations of the example specs, shared by the parser's fuzz test and the test that
// holds the block-YAML reader to the `yaml` package's output.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
export const seeds = [
  ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.collect.yaml')).map((f) => join(root, 'examples', f)),
  join(root, 'test', 'fixtures', 'specs', 'broken.collect.yaml'),
].map((p) => readFileSync(p, 'utf8'));

/** The demo site's seeded generator, so that a failing case reproduces. */
export { seeded as prng } from '../../../language-server/src/demo-site/data';

const NOISE = [':', '-', ' ', '  ', '\t', '"', "'", '[', ']', '{', '}', '&a', '*a', '!', '|', '>', '#', '\n', '%', '@', '`', '${', '}', '\\', 'é', '😀', '\r\n', ',', '?', 'ghp_'];

export function mutate(text: string, rnd: () => number, noise: string[] = NOISE): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  let lines = text.split('\n');
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 7)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 2: {
        const line = lines[i] ?? '';
        const at = Math.floor(rnd() * (line.length + 1));
        lines[i] = line.slice(0, at) + pick(noise) + line.slice(at + (rnd() < 0.5 ? 1 : 0));
        break;
      }
      case 3:
        lines[i] = (rnd() < 0.5 ? '  ' : '') + (lines[i] ?? '').replace(/^ {1,2}/, rnd() < 0.5 ? '' : ' ');
        break;
      case 4:
        lines = lines.slice(0, Math.max(1, i));
        break;
      case 5: {
        const joined = lines.join('\n');
        const cut = Math.floor(rnd() * joined.length);
        lines = joined.slice(0, cut).split('\n');
        break;
      }
      default: {
        const j = Math.floor(rnd() * lines.length);
        [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      }
    }
  }
  return lines.join('\n');
}
