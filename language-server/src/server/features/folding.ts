/**
 * Folding ranges for block mappings and sequences that span lines. Computed from indentation in
 * one pass over the text, without the YAML tree, because folding is asked for on every edit and
 * must stay cheap on a 50,000-line spec. YAML's compact sequences (`key:` followed by `- item`
 * at the same indentation) are children of the key, which plain indentation folding gets wrong.
 */
import { FoldingRangeKind, type Connection, type FoldingRange } from 'vscode-languageserver';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';

/**
 * The most ranges returned. VS Code folds at most 5,000 regions (`editor.foldingMaximumRegions`)
 * and drops the rest itself, so sending more only costs time; the outermost are kept.
 */
export const MAX_FOLDING_RANGES = 5000;

interface Open {
  line: number;
  depth: number;
  indent: number;
  /** A `key:` line with nothing after the colon: it may own `- ` items at its own indentation. */
  ownsCompactSequence: boolean;
}

/** The folding ranges of a YAML text. */
export function foldingRanges(text: string, limit = MAX_FOLDING_RANGES): FoldingRange[] {
  const lines = text.split(/\r\n|\r|\n/);
  const ranges: (FoldingRange & { depth: number })[] = [];
  const stack: Open[] = [];
  let lastContent = -1;
  let commentStart = -1;

  const close = (open: Open): void => {
    if (lastContent > open.line) ranges.push({ startLine: open.line, endLine: lastContent, depth: open.depth });
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const indent = line.length - line.trimStart().length;
    const content = line.slice(indent);
    if (content === '') continue;
    if (content.startsWith('#')) {
      // A run of two or more comment lines folds as a comment block.
      if (commentStart < 0) commentStart = i;
      if (i + 1 >= lines.length || !lines[i + 1]!.trimStart().startsWith('#')) {
        if (i > commentStart) ranges.push({ startLine: commentStart, endLine: i, kind: FoldingRangeKind.Comment, depth: stack.length });
        commentStart = -1;
      }
      continue;
    }
    commentStart = -1;
    if (content === '---' || content === '...') {
      while (stack.length > 0) close(stack.pop()!);
      lastContent = i;
      continue;
    }
    const isItem = content === '-' || content.startsWith('- ');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const inside = indent > top.indent || (indent === top.indent && isItem && top.ownsCompactSequence);
      if (inside) break;
      close(stack.pop()!);
    }
    stack.push({ line: i, depth: stack.length, indent, ownsCompactSequence: !isItem && /:\s*(#.*)?$/.test(content) });
    lastContent = i;
  }
  while (stack.length > 0) close(stack.pop()!);
  const kept = ranges.length > limit ? [...ranges].sort((a, b) => a.depth - b.depth || a.startLine - b.startLine).slice(0, limit) : ranges;
  return kept.sort((a, b) => a.startLine - b.startLine).map(({ depth: _depth, ...range }) => range);
}

/** Registers `textDocument/foldingRange`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  return connection.onFoldingRanges((params, token) =>
    runSafe(
      deps.log,
      'foldingRange',
      () => {
        const document = deps.documents.get(params.textDocument.uri);
        return document ? foldingRanges(document.getText()) : [];
      },
      [],
      token,
    ),
  );
}
