/**
 * Turning response bytes into text the way browsers do (WHATWG Encoding and the HTML encoding
 * sniffing algorithm): a byte-order mark wins, then the Content-Type charset, then, for HTML only,
 * a `<meta charset>` / `http-equiv` prescan of the first 1024 bytes, then a default. Labels are
 * mapped to WHATWG names, so `ISO-8859-1` decodes as windows-1252, as every browser does.
 */
import { getEncoding } from 'encoding-sniffer';
import iconv from 'iconv-lite';

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

/** iconv-lite names for WHATWG names whose spelling differs or whose decoder is a superset. */
const ICONV_NAMES: Record<string, string> = {
  // WHATWG's GBK decoder is the gb18030 decoder.
  gbk: 'gb18030',
  // WHATWG's euc-kr is Microsoft's extension, code page 949.
  'euc-kr': 'cp949',
};

/** Decodes with iconv-lite, falling back to the platform TextDecoder for the few it lacks. */
function decodeWith(bytes: Buffer, encoding: string): string {
  const iconvName = ICONV_NAMES[encoding] ?? encoding;
  if (iconv.encodingExists(iconvName)) return iconv.decode(bytes, iconvName, { stripBOM: false });
  try {
    return new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'utf-8', { stripBOM: false });
  }
}
