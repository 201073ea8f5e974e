/**
 * Turning response bytes into text the way browsers do (WHATWG Encoding and the HTML encoding
 * sniffing algorithm): a byte-order mark wins, then the Content-Type charset, then, for HTML only,
 * a `<meta charset>` / `http-equiv` prescan of the first 1024 bytes, then a default. Labels are
 * mapped to WHATWG names, so `ISO-8859-1` decodes as windows-1252, as every browser does.
 */
import { getEncoding } from 'encoding-sniffer';

/** What kind of document the bytes are; only HTML gets the `<meta>` prescan and the 1252 default. */
export type BodyKind = 'html' | 'text' | 'json';

/** Decoded text and the WHATWG name of the encoding used, e.g. `utf-8` or `shift_jis`. */
export interface DecodedBody {
  text: string;
  encoding: string;
}

/**
 * Decodes a response body. Never throws: an unknown label is ignored (the next rule decides),
 * and undecodable bytes become U+FFFD.
 */
export function decodeBody(body: Uint8Array, contentType: string | undefined, kind: BodyKind): DecodedBody {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const bom = sniffBom(bytes);
  if (bom) return { text: decodeWith(bytes.subarray(bom.length), bom.encoding), encoding: bom.encoding };

  const transport = whatwgName(charsetParameter(contentType));
  if (kind !== 'html') {
    // WHATWG maps a declared UTF-16 without a BOM to UTF-16LE; keep that for text and JSON.
    const encoding = transport ?? 'utf-8';
    return { text: decodeWith(bytes, encoding), encoding };
  }

  let encoding: string;
  if (transport !== undefined) {
    encoding = transport;
  } else {
    // The sniffer implements the HTML prescan (comments, attributes, http-equiv + content,
    // UTF-16 meta → UTF-8) over the first 1024 bytes; its default is the HTML one.
    let sniffed: string;
    try {
      sniffed = getEncoding(bytes, { defaultEncoding: 'windows-1252' });
    } catch {
      sniffed = 'windows-1252';
    }
    encoding = whatwgName(sniffed) ?? 'windows-1252';
  }
  return { text: decodeWith(bytes, encoding), encoding };
}

/** The `charset` parameter of a Content-Type value, unquoted, or undefined. */
export function charsetParameter(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const match = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i.exec(contentType);
  if (!match) return undefined;
  const value = (match[2] ?? match[1] ?? '').trim();
  return value === '' ? undefined : value;
}

/**
 * The WHATWG encoding name for a label (`latin1` → `windows-1252`, `sjis` → `shift_jis`), or
 * undefined for an unknown label. Node's TextDecoder knows the WHATWG label table exactly.
 */
export function whatwgName(label: string | undefined): string | undefined {
  if (label === undefined || label.trim() === '') return undefined;
  try {
    const name = new TextDecoder(label.trim()).encoding;
    // "replacement" (e.g. iso-2022-kr) means: do not decode at all; treat it as unknown here.
    return name === 'replacement' ? undefined : name;
  } catch {
    return undefined;
  }
}

function sniffBom(bytes: Buffer): { encoding: string; length: number } | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  return undefined;
}

/**
 * Decodes with the platform's WHATWG TextDecoder (Node ships full ICU, so every WHATWG encoding —
 * Shift_JIS, GB18030, EUC-KR, Big5… — is there); undecodable bytes become U+FFFD. The BOM has
 * already been stripped by the caller when it decided the encoding.
 */
function decodeWith(bytes: Buffer, encoding: string): string {
  if (encoding === 'windows-1252') return decodeWindows1252(bytes);
  try {
    return new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  }
}

/**
 * windows-1252 code points for bytes 0x80–0x9F (0 = unassigned, kept as the C1 control as the
 * WHATWG index does). Node's TextDecoder decodes this label as ISO-8859-1, which turns `€`, `“`
 * and `—` into control characters, so the 32 differing entries are mapped here.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

function decodeWindows1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  // Most pages have no byte in 0x80–0x9F; skip the per-character pass for them.
  if (!/[\x80-\x9f]/.test(latin1)) return latin1;
  return latin1.replace(/[\x80-\x9f]/g, (c) => {
    const mapped = WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80];
    return mapped ? String.fromCharCode(mapped) : c;
  });
}
