// Generates valid collection specs of about N lines: many scrape and API sources with many
// fields, so that every part of the parser and checker has work to do.

/** A spec of at least `lines` lines; returns its text and where fields are (for hover/completion). */
export function generateSpec(lines) {
  const out = [
    'gleaner: 1',
    `name: bench-${lines}`,
    'description: Generated spec for the language-server benchmark.',
    'user_agent: "GleanerBot/1.0 (+mailto:bench@example.org)"',
    'licence:',
    '  spdx: CC-BY-4.0',
    '  intended_use: [research]',
    '  attribution: "Bench data, CC BY 4.0."',
    'politeness:',
    '  delay: 1s',
    '  budget:',
    '    pages: 1000',
    'sources:',
  ];
  const fieldLines = [];
  let i = 0;
  while (out.length < lines - 6) {
    if (i % 4 === 3) {
      out.push(
        `  - id: api${i}`,
        '    kind: api',
        '    request:',
        `      url: https://api${i % 50}.example.org/v1/items`,
        '      headers:',
        '        X-API-Key: ${env:BENCH_KEY}',
        '    pagination:',
        '      type: page',
        '      param: page',
        '    records:',
        '      path: $.items[*]',
        '      fields:',
      );
      for (let f = 0; f < 8; f++) {
        fieldLines.push(out.length);
        out.push(`        f${f}:`, `          path: $.f${f}`, '          type: string');
      }
    } else {
      out.push(
        `  - id: pages${i}`,
        '    kind: scrape',
        '    start_urls:',
        `      - https://site${i % 50}.example.org/list/${i}.html`,
        '    follow:',
        `      - selector: article h3 a`,
        `        source: pages${i}`,
        '        max_depth: 2',
        '    records:',
        '      selector: article.product',
        '      fields:',
      );
      for (let f = 0; f < 8; f++) {
        fieldLines.push(out.length);
        out.push(`        f${f}:`, `          selector: div.c${f} > span:nth-child(${f + 1})`, '          type: string');
      }
    }
    i++;
  }
  out.push('output:', '  format: jsonl', '  directory: runs');
  return { text: out.join('\n') + '\n', fieldLines, lineCount: out.length };
}
