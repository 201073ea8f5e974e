/**
 * A position-keeping reader for SPDX licence expressions. spdx-expression-parse is the authority
 * on validity, but it stops at the first unknown id and reports no spans; this reader keeps
 * going, so that every id can be checked and every finding can point at its characters.
 */

/** A run of text between operators and parentheses: an id, or a loosely written licence name. */
export interface Term {
  text: string;
  start: number;
  end: number;
}

export type Token =
  | { kind: '(' | ')'; start: number; end: number }
  | { kind: 'op'; op: 'AND' | 'OR' | 'WITH'; start: number; end: number }
  | ({ kind: 'term' } & Term);

/** A leaf: a licence (or LicenseRef) term, optionally `WITH` an exception term. */
export interface LeafNode {
  type: 'leaf';
  licence: Term;
  exception?: Term;
}

export type ExpressionNode = LeafNode | { type: 'and' | 'or'; children: ExpressionNode[] };

export interface SyntaxProblem {
  message: string;
  start: number;
  end: number;
}

/**
 * Splits an expression into parentheses, the operators AND / OR / WITH (any case, as
 * spdx-expression-parse accepts) and terms. Words between two operators form one term, so that
 * `Apache License 2.0` stays together and can be recognised as a whole.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const words = /\(|\)|[^\s()]+/g;
  let pending: Term | undefined;
  const flush = (): void => {
    if (pending) tokens.push({ kind: 'term', ...pending });
    pending = undefined;
  };
  for (let match = words.exec(source); match; match = words.exec(source)) {
    const text = match[0];
    const start = match.index;
    const end = start + text.length;
    if (text === '(' || text === ')') {
      flush();
      tokens.push({ kind: text, start, end });
    } else if (/^(and|or|with)$/i.test(text)) {
      flush();
      tokens.push({ kind: 'op', op: text.toUpperCase() as 'AND' | 'OR' | 'WITH', start, end });
    } else if (pending) {
      pending = { text: source.slice(pending.start, end), start: pending.start, end };
    } else {
      pending = { text, start, end };
    }
  }
  flush();
  return tokens;
}

/**
 * Parses tokens with SPDX precedence (WITH binds tightest, then AND, then OR). Returns the tree,
 * or the first problem with its span. Never throws.
 */
export function parseTokens(tokens: Token[], sourceLength: number): { node?: ExpressionNode; problem?: SyntaxProblem } {
  let index = 0;
  const atEnd = (): SyntaxProblem => ({ message: 'The expression ends where a licence id was expected.', start: Math.max(0, sourceLength - 1), end: sourceLength });
  const unexpected = (token: Token, expected: string): SyntaxProblem => ({
    message: `Expected ${expected}, found \`${token.kind === 'op' ? token.op : token.kind === 'term' ? token.text : token.kind}\`.`,
    start: token.start,
    end: token.end,
  });

  function atom(): ExpressionNode | SyntaxProblem {
    const token = tokens[index];
    if (!token) return atEnd();
    if (token.kind === '(') {
      index++;
      const inner = or();
      if ('message' in inner) return inner;
      const close = tokens[index];
      if (!close) return { message: 'This parenthesis is never closed.', start: token.start, end: token.end };
      if (close.kind !== ')') return unexpected(close, '`)`, AND or OR');
      index++;
      return inner;
    }
    if (token.kind !== 'term') return unexpected(token, 'a licence id');
    index++;
    const leaf: LeafNode = { type: 'leaf', licence: { text: token.text, start: token.start, end: token.end } };
    const next = tokens[index];
    if (next && next.kind === 'op' && next.op === 'WITH') {
      index++;
      const exception = tokens[index];
      if (!exception) return { message: 'WITH must be followed by an exception id.', start: next.start, end: next.end };
      if (exception.kind !== 'term') return unexpected(exception, 'an exception id after WITH');
      index++;
      leaf.exception = { text: exception.text, start: exception.start, end: exception.end };
    }
    return leaf;
  }

  function chain(kind: 'and' | 'or', operand: () => ExpressionNode | SyntaxProblem): ExpressionNode | SyntaxProblem {
    const first = operand();
    if ('message' in first) return first;
    const children = [first];
    for (;;) {
      const token = tokens[index];
      if (!token || token.kind !== 'op' || token.op !== kind.toUpperCase()) break;
      index++;
      const next = operand();
      if ('message' in next) return next;
      children.push(next);
    }
    return children.length === 1 ? first : { type: kind, children };
  }

  const and = (): ExpressionNode | SyntaxProblem => chain('and', atom);
  const or = (): ExpressionNode | SyntaxProblem => chain('or', and);

  if (tokens.length === 0) return { problem: { message: 'The licence expression is empty.', start: 0, end: sourceLength } };
  const node = or();
  if ('message' in node) return { problem: node };
  const rest = tokens[index];
  if (rest) return { problem: unexpected(rest, rest.kind === ')' ? 'the end of the expression (this `)` has no `(`)' : 'AND, OR or the end of the expression') };
  return { node };
}

/** Every leaf of a tree, left to right. */
export function leaves(node: ExpressionNode): LeafNode[] {
  return node.type === 'leaf' ? [node] : node.children.flatMap(leaves);
}
