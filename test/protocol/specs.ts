/** Spec texts shared by the protocol tests. */

/** A valid spec with public URLs: no errors or warnings, whatever the parser's information notes. */
export const GOOD_SPEC = `gleaner: 1
name: good
description: A small valid spec.
user_agent: "GleanerBot/1.0 (+mailto:data@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
  attribution: "Example data, CC BY 4.0."
politeness:
  delay: 1s
  budget:
    pages: 10
sources:
  - id: listing
    kind: scrape
    start_urls:
      - https://example.org/catalogue/page-1.html
    follow:
      - selector: article h3 a
        source: book
  - id: book
    kind: scrape
    records:
      fields:
        title:
          selector: h1
output:
  format: jsonl
`;

/** A broken spec: a misspelt top-level key (line 7) and a follow rule naming no source (line 15). */
export const BROKEN_SPEC = `gleaner: 1
name: t
user_agent: "GleanerBot/0.1 (+mailto:a@b.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
  attribution: "Example data, CC BY 4.0."
politness:
  delay: 1s
sources:
  - id: a
    kind: scrape
    start_urls: [https://example.org/]
    follow:
      - selector: a
        source: nope
`;

/** A spec whose start URLs point at `origin` (loopback allowed), for robots.txt tests. */
export function robotsSpec(origin: string, intendedUse = 'research'): string {
  return `gleaner: 1
name: robots
user_agent: "GleanerBot/1.0 (+mailto:data@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [${intendedUse}]
  attribution: "Loopback data, CC BY 4.0."
politeness:
  delay: 1s
  allow_private_network: true
  budget:
    pages: 10
sources:
  - id: pages
    kind: scrape
    start_urls:
      - ${origin}/private/staff.html
      - ${origin}/catalogue/page-1.html
`;
}
