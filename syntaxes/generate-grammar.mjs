// The source of syntaxes/collection-spec.tmLanguage.json: the grammar is written as JavaScript so
// that the repeated pieces (string forms, key prefixes, Gleaner value kinds) are defined once.
// Regenerate with `node syntaxes/generate-grammar.mjs` after editing; the grammar unit test fails
// when the committed JSON and this file disagree.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KEY_PREFIX = String.raw`^(\s*)(?:(-)(\s+))?`;
const keyCaptures = (keyScope = 'entity.name.tag.yaml') => ({
  2: { name: 'punctuation.definition.block.sequence.item.yaml' },
  4: { name: keyScope },
  5: { name: 'punctuation.separator.key-value.mapping.yaml' },
});
// The end of a plain scalar on a block line: a comment (space then #) or the end of the line.
const PLAIN_END = String.raw`(?=\s+#|\s*$)`;
const PLAIN_START = String.raw`(?=[^\s#,\[\]{}"'&*!|>%@\x60])`;
const VALUE_END = String.raw`(?=[ \t]*(?:#.*)?$)`;
const FLOW_VALUE_END = String.raw`(?=[ \t]*(?:[,\]}]|#.*$|$))`;

/** A same-line `key: value` rule whose value is highlighted by `inner` (a repository name). */
function specialKey(keys, inner, extraPatterns = []) {
  return {
    begin: `${KEY_PREFIX}(${keys})\\s*(:)(?=\\s|$)`,
    beginCaptures: keyCaptures(),
    end: '$',
    name: `meta.mapping.${inner}.collection-spec`,
    patterns: [
      { include: '#comment' },
      ...extraPatterns,
      { include: '#anchor-alias-tag' },
      { begin: '"', beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: '"', endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.double.yaml', patterns: [{ include: '#double-escape' }, { include: `#${inner}` }] },
      { begin: "'", beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: "'(?!')", endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.single.yaml', patterns: [{ match: "''", name: 'constant.character.escape.yaml' }, { include: `#${inner}` }] },
      { begin: PLAIN_START, end: PLAIN_END, name: 'string.unquoted.plain.yaml', patterns: [{ include: `#${inner}` }] },
    ],
  };
}

/** `key: value` inside a flow mapping (`{path: $.id, type: string}`) for a Gleaner-specific key. */
function flowSpecial(keys, inner) {
  return {
    begin: `(?<![^\\s{,])(${keys})\\s*(:)(?=\\s)`,
    beginCaptures: { 1: { name: 'entity.name.tag.yaml' }, 2: { name: 'punctuation.separator.key-value.mapping.yaml' } },
    end: String.raw`(?=\s*[,}\]])|(?=\s+#)|$`,
    name: `meta.mapping.${inner}.collection-spec`,
    patterns: [
      { begin: '"', beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: '"', endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.double.yaml', patterns: [{ include: '#double-escape' }, { include: `#${inner}` }] },
      { begin: "'", beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: "'(?!')", endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.single.yaml', patterns: [{ match: "''", name: 'constant.character.escape.yaml' }, { include: `#${inner}` }] },
      { begin: PLAIN_START, end: String.raw`(?=\s*[,}\]]|\s+#|\s*$)`, name: 'string.unquoted.plain.yaml', patterns: [{ include: `#${inner}` }] },
    ],
  };
}

const cssStringsInFlow = {
  begin: String.raw`\[`, beginCaptures: { 0: { name: 'punctuation.definition.sequence.begin.yaml' } },
  end: String.raw`\]`, endCaptures: { 0: { name: 'punctuation.definition.sequence.end.yaml' } },
  name: 'meta.flow-sequence.yaml',
  patterns: [
    { match: ',', name: 'punctuation.separator.sequence.yaml' },
    { begin: '"', beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: '"', endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.double.yaml', patterns: [{ include: '#double-escape' }, { include: '#css-selector' }] },
    { begin: "'", beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: "'(?!')", endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.single.yaml', patterns: [{ match: "''", name: 'constant.character.escape.yaml' }, { include: '#css-selector' }] },
    { begin: PLAIN_START, end: String.raw`(?=\s*[,\]]|\s+#|\s*$)`, name: 'string.unquoted.plain.yaml', patterns: [{ include: '#css-selector' }] },
  ],
};

/** `key: |` and `key: >` with the indented lines that follow. Two rules: with and without a list dash. */
function blockScalarKey(withDash) {
  const prefix = withDash ? String.raw`^(\s*)(-)(\s+)` : String.raw`^(\s*)()()`;
  // The content must be indented deeper than the key. With a dash, the key's column is the
  // dash's indentation plus one space plus the spaces after the dash.
  const deeper = withDash ? String.raw`\1 \3\s` : String.raw`\1\s`;
  return {
    begin: `${prefix}([^\\s#'"{}\\[\\],&*!|>%@\x60][^#]*?|"[^"]*"|'[^']*')\\s*(:)\\s+(?:(&)([^\\s]+)\\s+)?([|>])([1-9]?[-+]?|[-+]?[1-9]?)\\s*(#.*)?$`,
    beginCaptures: {
      2: { name: 'punctuation.definition.block.sequence.item.yaml' },
      4: { name: 'entity.name.tag.yaml' },
      5: { name: 'punctuation.separator.key-value.mapping.yaml' },
      6: { name: 'punctuation.definition.anchor.yaml' },
      7: { name: 'entity.name.type.anchor.yaml' },
      8: { name: 'keyword.control.flow.block-scalar.yaml' },
      9: { name: 'storage.modifier.chomping-indicator.yaml' },
      10: { name: 'comment.line.number-sign.yaml' },
    },
    end: `^(?!${deeper}|\\s*$)`,
    contentName: 'string.unquoted.block.yaml',
    patterns: [{ include: '#reference' }],
  };
}

/** The grammar as a plain object (what the JSON file holds). */
export function buildGrammar() {
  return grammar;
}

const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'Gleaner Collection Spec',
  scopeName: 'source.collection-spec',
  fileTypes: ['collect.yaml', 'collect.yml'],
  comment: 'A self-contained YAML grammar for *.collect.yaml files, with Gleaner specifics: CSS selectors, ${env:}/${secret:} references, SPDX expressions, JSONPath, URLs, durations and sizes. Generated by syntaxes/generate-grammar.mjs; edit that file, not this one.',
  patterns: [
    { include: '#comment' },
    { match: String.raw`^(---|\.\.\.)(?=\s|$)`, name: 'entity.other.document.begin.yaml' },
    { match: String.raw`^%\S+.*$`, name: 'meta.directive.yaml' },
    blockScalarKey(true),
    blockScalarKey(false),
    {
      comment: 'fallback: followed by a block list of selectors on the next lines.',
      begin: String.raw`^(\s*)(fallback)\s*(:)[ \t]*(#.*)?$`,
      beginCaptures: { 2: { name: 'entity.name.tag.yaml' }, 3: { name: 'punctuation.separator.key-value.mapping.yaml' }, 4: { name: 'comment.line.number-sign.yaml' } },
      end: String.raw`^(?=\s*\S)(?!\1\s)`,
      name: 'meta.mapping.css-selector.collection-spec',
      patterns: [
        { include: '#comment' },
        { match: String.raw`^\s*(-)(?=\s|$)`, captures: { 1: { name: 'punctuation.definition.block.sequence.item.yaml' } } },
        { begin: '"', beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: '"', endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.double.yaml', patterns: [{ include: '#double-escape' }, { include: '#css-selector' }] },
        { begin: "'", beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: "'(?!')", endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.single.yaml', patterns: [{ match: "''", name: 'constant.character.escape.yaml' }, { include: '#css-selector' }] },
        { begin: PLAIN_START, end: PLAIN_END, name: 'string.unquoted.plain.yaml', patterns: [{ include: '#css-selector' }] },
      ],
    },
    specialKey('selector|fallback', 'css-selector', [cssStringsInFlow]),
    specialKey('spdx', 'spdx-expression'),
    specialKey('path|cursor_path|next_path|while', 'jsonpath'),
    {
      begin: `${KEY_PREFIX}([^\\s#'"{}\\[\\],&*!|>%@\x60-][^#]*?|-[^\\s#][^#]*?|"(?:[^"\\\\]|\\\\.)*"|'(?:[^']|'')*')\\s*(:)(?=\\s|$)`,
      beginCaptures: keyCaptures(),
      end: '$',
      patterns: [{ include: '#block-value' }],
    },
    {
      begin: String.raw`^(\s*)(-)(?=\s|$)`,
      beginCaptures: { 2: { name: 'punctuation.definition.block.sequence.item.yaml' } },
      end: '$',
      patterns: [{ include: '#block-value' }],
    },
    { include: '#block-value' },
  ],
  repository: {
    comment: {
      match: String.raw`(?:^|(?<=\s))(#).*$`,
      name: 'comment.line.number-sign.yaml',
      captures: { 1: { name: 'punctuation.definition.comment.yaml' } },
    },
    'double-escape': { match: String.raw`\\(?:[0abtnvfre "/\\N_LP\t]|x\h{2}|u\h{4}|U\h{8})`, name: 'constant.character.escape.yaml' },
    reference: {
      comment: 'A ${env:NAME} or ${secret:NAME} reference, resolved when a run starts.',
      match: String.raw`(\$\{)(env|secret)(:)([A-Za-z_][A-Za-z0-9_]*)(\})`,
      name: 'meta.reference.collection-spec',
      captures: {
        1: { name: 'punctuation.definition.template-expression.begin.collection-spec' },
        2: { name: 'support.type.reference-kind.collection-spec' },
        3: { name: 'punctuation.separator.reference.collection-spec' },
        4: { name: 'variable.other.reference.collection-spec' },
        5: { name: 'punctuation.definition.template-expression.end.collection-spec' },
      },
    },
    'bad-reference': {
      match: String.raw`\$\{(?:env|secret):[^}\s"']*\}?`,
      name: 'invalid.illegal.reference.collection-spec',
    },
    url: {
      comment: 'An http(s) URL; it stops before a ${…} reference (highlighted on its own) and before closing punctuation.',
      match: String.raw`\bhttps?://(?:[^\s"'<>#$]|\$(?!\{))*[^\s"'<>#.,;:)\]}$]`,
      name: 'markup.underline.link.collection-spec',
    },
    'anchor-alias-tag': {
      patterns: [
        { match: String.raw`(?<![^\s\[,{])(&)([^\s\[\]{},]+)`, captures: { 1: { name: 'punctuation.definition.anchor.yaml' }, 2: { name: 'entity.name.type.anchor.yaml' } } },
        { match: String.raw`(?<![^\s\[,{])(\*)([^\s\[\]{},]+)`, captures: { 1: { name: 'punctuation.definition.alias.yaml' }, 2: { name: 'variable.other.alias.yaml' } } },
        { match: String.raw`(?<![^\s\[,{])!(?:<[^>]*>|[\w!.\/:-]*)`, name: 'storage.type.tag-handle.yaml' },
      ],
    },
    constants: {
      comment: 'Whole plain scalars with a type: null, booleans, numbers, then Gleaner durations and sizes.',
      patterns: [
        { match: `(?<![^\\s\\[,{:])(?:null|Null|NULL|~)(?:${FLOW_VALUE_END})`, name: 'constant.language.null.yaml' },
        { match: `(?<![^\\s\\[,{:])(?:true|True|TRUE|false|False|FALSE)(?:${FLOW_VALUE_END})`, name: 'constant.language.boolean.yaml' },
        { match: `(?<![^\\s\\[,{:])[-+]?(?:0|[1-9][0-9_]*)(?:${FLOW_VALUE_END})`, name: 'constant.numeric.integer.yaml' },
        { match: `(?<![^\\s\\[,{:])(?:0x\\h+|0o[0-7]+)(?:${FLOW_VALUE_END})`, name: 'constant.numeric.integer.yaml' },
        { match: `(?<![^\\s\\[,{:])[-+]?(?:\\.[0-9]+|[0-9][0-9_]*(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?(?:${FLOW_VALUE_END})`, name: 'constant.numeric.float.yaml' },
        { match: `(?<![^\\s\\[,{:])[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)(?:${FLOW_VALUE_END})`, name: 'constant.numeric.float.yaml' },
        { match: `(?<![^\\s\\[,{:])[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h|d)(?:${FLOW_VALUE_END})`, name: 'constant.numeric.duration.collection-spec' },
        { match: `(?<![^\\s\\[,{:])[0-9]+(?:\\.[0-9]+)?\\s?(?:B|[KMGT]i?B|[kKMGT])(?:${FLOW_VALUE_END})`, name: 'constant.numeric.size.collection-spec' },
      ],
    },
    'string-content': { patterns: [{ include: '#reference' }, { include: '#bad-reference' }, { include: '#url' }] },
    'quoted-strings': {
      patterns: [
        { begin: '"', beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: '"', endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.double.yaml', patterns: [{ include: '#double-escape' }, { include: '#string-content' }] },
        { begin: "'", beginCaptures: { 0: { name: 'punctuation.definition.string.begin.yaml' } }, end: "'(?!')", endCaptures: { 0: { name: 'punctuation.definition.string.end.yaml' } }, name: 'string.quoted.single.yaml', patterns: [{ match: "''", name: 'constant.character.escape.yaml' }, { include: '#string-content' }] },
      ],
    },
    'block-value': {
      patterns: [
        { include: '#comment' },
        { include: '#flow-collection' },
        { include: '#quoted-strings' },
        { include: '#anchor-alias-tag' },
        { include: '#constants' },
        { begin: PLAIN_START, end: PLAIN_END, name: 'string.unquoted.plain.yaml', patterns: [{ include: '#string-content' }] },
      ],
    },
    'flow-value': {
      patterns: [
        { include: '#comment' },
        flowSpecial('selector|fallback', 'css-selector'),
        flowSpecial('spdx', 'spdx-expression'),
        flowSpecial('path|cursor_path|next_path|while', 'jsonpath'),
        { include: '#flow-collection' },
        { include: '#quoted-strings' },
        { include: '#anchor-alias-tag' },
        { include: '#constants' },
        { match: String.raw`([^\s,\[\]{}"'#:][^,\[\]{}#:]*?)\s*(:)(?=\s)`, captures: { 1: { name: 'entity.name.tag.yaml' }, 2: { name: 'punctuation.separator.key-value.mapping.yaml' } } },
        { begin: PLAIN_START, end: String.raw`(?=\s*[,\]}]|\s+#|\s*$)`, name: 'string.unquoted.plain.yaml', patterns: [{ include: '#string-content' }] },
      ],
    },
    'flow-collection': {
      patterns: [
        {
          begin: String.raw`\[`, beginCaptures: { 0: { name: 'punctuation.definition.sequence.begin.yaml' } },
          end: String.raw`\]`, endCaptures: { 0: { name: 'punctuation.definition.sequence.end.yaml' } },
          name: 'meta.flow-sequence.yaml',
          patterns: [{ match: ',', name: 'punctuation.separator.sequence.yaml' }, { include: '#flow-value' }],
        },
        {
          begin: String.raw`\{`, beginCaptures: { 0: { name: 'punctuation.definition.mapping.begin.yaml' } },
          end: String.raw`\}`, endCaptures: { 0: { name: 'punctuation.definition.mapping.end.yaml' } },
          name: 'meta.flow-mapping.yaml',
          patterns: [{ match: ',', name: 'punctuation.separator.mapping.yaml' }, { include: '#flow-value' }],
        },
      ],
    },
    'css-selector': {
      comment: 'CSS selectors (Selectors Level 4 as css-what parses them) inside a selector: or fallback: value.',
      patterns: [
        { include: '#reference' },
        { match: String.raw`::[A-Za-z-]+`, name: 'entity.other.attribute-name.pseudo-element.css' },
        { match: String.raw`(:)([A-Za-z][\w-]*)`, name: 'entity.other.attribute-name.pseudo-class.css', captures: { 1: { name: 'punctuation.definition.entity.css' } } },
        { match: String.raw`(#)(-?[A-Za-z_\x{80}-\x{10FFFF}][\w\x{80}-\x{10FFFF}-]*)`, name: 'entity.other.attribute-name.id.css', captures: { 1: { name: 'punctuation.definition.entity.css' } } },
        { match: String.raw`(\.)(-?[A-Za-z_\x{80}-\x{10FFFF}][\w\x{80}-\x{10FFFF}-]*)`, name: 'entity.other.attribute-name.class.css', captures: { 1: { name: 'punctuation.definition.entity.css' } } },
        {
          match: String.raw`(\[)\s*([A-Za-z_][\w-]*(?:\|[A-Za-z_][\w-]*)?)\s*(?:([~|^$*]?=)\s*((?:[^\s\]"'\\]|\\.)+|"[^"]*"|'[^']*'|\\"(?:[^"\\]|\\[^"])*\\")\s*(?:([iIsS])\s*)?)?(\])`,
          name: 'meta.attribute-selector.css',
          captures: {
            1: { name: 'punctuation.definition.entity.begin.bracket.square.css' },
            2: { name: 'entity.other.attribute-name.css' },
            3: { name: 'keyword.operator.pattern.css' },
            4: { name: 'string.unquoted.attribute-value.css' },
            5: { name: 'storage.modifier.ignore-case.css' },
            6: { name: 'punctuation.definition.entity.end.bracket.square.css' },
          },
        },
        { match: String.raw`\[[^\]"']*$|\[[^\]"']*(?=["'])`, name: 'invalid.illegal.unclosed-attribute-selector.css' },
        { match: String.raw`\s*[>+~]\s*`, name: 'keyword.operator.combinator.css' },
        { match: String.raw`\*`, name: 'entity.name.tag.wildcard.css' },
        { match: ',', name: 'punctuation.separator.list.comma.css' },
        { match: String.raw`[()]`, name: 'punctuation.section.function.css' },
        { match: String.raw`(?<![\w-])[A-Za-z][\w-]*`, name: 'entity.name.tag.css' },
        { match: String.raw`[+-]?\d+n?`, name: 'constant.numeric.css' },
      ],
    },
    'spdx-expression': {
      comment: 'An SPDX licence expression: ids, LicenseRef-/DocumentRef-, AND/OR/WITH, a + suffix and parentheses.',
      patterns: [
        { match: String.raw`\b(?:AND|OR|WITH|and|or|with)\b`, name: 'keyword.operator.logical.spdx' },
        { match: String.raw`(?:DocumentRef-[\w.-]+:)?LicenseRef-[\w.-]+`, name: 'support.constant.license-ref.spdx' },
        { match: String.raw`[A-Za-z0-9][\w.-]*(\+)?`, name: 'support.constant.license.spdx', captures: { 1: { name: 'keyword.operator.or-later.spdx' } } },
        { match: String.raw`[()]`, name: 'punctuation.section.group.spdx' },
      ],
    },
    jsonpath: {
      comment: 'An RFC 9535 JSONPath query.',
      patterns: [
        { include: '#reference' },
        { match: String.raw`\$`, name: 'variable.language.root.jsonpath' },
        { match: '@', name: 'variable.language.current.jsonpath' },
        { match: String.raw`\.\.`, name: 'keyword.operator.descendant.jsonpath' },
        { match: String.raw`(\.)([A-Za-z_\x{80}-\x{10FFFF}][\w\x{80}-\x{10FFFF}]*)`, captures: { 1: { name: 'punctuation.accessor.jsonpath' }, 2: { name: 'variable.other.member.jsonpath' } } },
        { match: String.raw`\.`, name: 'punctuation.accessor.jsonpath' },
        { match: String.raw`\*`, name: 'keyword.operator.wildcard.jsonpath' },
        { match: String.raw`\?`, name: 'keyword.control.filter.jsonpath' },
        { match: String.raw`==|!=|<=|>=|<|>|&&|\|\||!`, name: 'keyword.operator.comparison.jsonpath' },
        { match: String.raw`[\[\]]`, name: 'punctuation.section.brackets.jsonpath' },
        { match: String.raw`[(),:]`, name: 'punctuation.separator.jsonpath' },
        { match: String.raw`'(?:[^'\\]|\\.)*'|\\"(?:[^"\\]|\\[^"])*\\"`, name: 'string.quoted.member-name.jsonpath' },
        { match: String.raw`-?\d+(?:\.\d+)?`, name: 'constant.numeric.jsonpath' },
        { match: String.raw`\b(?:true|false|null)\b`, name: 'constant.language.jsonpath' },
        { match: String.raw`\b(?:length|count|match|search|value)(?=\()`, name: 'support.function.jsonpath' },
      ],
    },
  },
};
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(dirname(fileURLToPath(import.meta.url)), 'collection-spec.tmLanguage.json');
  writeFileSync(out, `${JSON.stringify(grammar, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
