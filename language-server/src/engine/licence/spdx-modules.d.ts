// Type declarations for the SPDX packages that ship none. Only what engine/licence uses.

declare module 'spdx-expression-parse' {
  /** A parsed SPDX expression: a licence leaf, or a conjunction of two expressions. */
  type SpdxNode =
    | { license: string; plus?: boolean; exception?: string }
    | { left: SpdxNode; conjunction: 'and' | 'or'; right: SpdxNode };
  /** Parses an SPDX expression; throws an Error on any syntax error or unknown id. */
  function parse(source: string): SpdxNode;
  export = parse;
}

declare module 'spdx-license-ids' {
  const ids: string[];
  export = ids;
}

declare module 'spdx-license-ids/deprecated.json' {
  const ids: string[];
  export = ids;
}

declare module 'spdx-exceptions' {
  const ids: string[];
  export = ids;
}

declare module 'spdx-exceptions/deprecated.json' {
  const ids: string[];
  export = ids;
}
