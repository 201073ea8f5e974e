import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charsetParameter, decodeBody, whatwgName } from '../../../language-server/src/engine/http/charset';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const ascii = (text: string): number[] => [...Buffer.from(text, 'latin1')];

void describe('decodeBody', () => {
  void it('decodes UTF-8 declared in Content-Type', () => {
    // "café" in UTF-8.
    assert.deepEqual(decodeBody(bytes(0x63, 0x61, 0x66, 0xc3, 0xa9), 'text/html; charset=utf-8', 'html'), { text: 'café', encoding: 'utf-8' });
  });

  void it('lets a BOM win over the Content-Type charset, and strips it', () => {
    const body = bytes(0xef, 0xbb, 0xbf, 0xc3, 0xa9);
    assert.deepEqual(decodeBody(body, 'text/html; charset=ISO-8859-1', 'html'), { text: 'é', encoding: 'utf-8' });
    assert.deepEqual(decodeBody(bytes(0xff, 0xfe, 0x41, 0x00, 0xe9, 0x00), 'application/json; charset=utf-8', 'json'), { text: 'Aé', encoding: 'utf-16le' });
    assert.deepEqual(decodeBody(bytes(0xfe, 0xff, 0x00, 0x41, 0x30, 0x42), undefined, 'text'), { text: 'Aあ', encoding: 'utf-16be' });
  });

  void it('reads ISO-8859-1 as windows-1252, as browsers do', () => {
    // 0x80 is € in windows-1252 but a C1 control in true ISO-8859-1.
    assert.deepEqual(decodeBody(bytes(0x80, 0x20, 0xe9), 'text/html; charset="ISO-8859-1"', 'html'), { text: '€ é', encoding: 'windows-1252' });
  });

  void it('finds <meta charset> in the first 1024 bytes of HTML when the header has none', () => {
    // 日本 in Shift_JIS.
    const head = ascii('<!doctype html><html><head><meta charset="Shift_JIS"><title>');
    const body = bytes(...head, 0x93, 0xfa, 0x96, 0x7b, ...ascii('</title>'));
    const decoded = decodeBody(body, 'text/html', 'html');
    assert.equal(decoded.encoding, 'shift_jis');
    assert.match(decoded.text, /<title>日本<\/title>/);
  });

  void it('finds an http-equiv Content-Type declaration', () => {
    // 中文 in GB18030 (same bytes as GBK), declared with the legacy gb2312 label.
    const head = ascii('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>');
    const decoded = decodeBody(bytes(...head, 0xd6, 0xd0, 0xce, 0xc4), undefined, 'html');
    assert.equal(decoded.encoding, 'gbk');
    assert.match(decoded.text, /<body>中文$/);
  });

  void it('decodes GB18030 four-byte sequences', () => {
    // U+00B8 ¸ is 0x81 0x30 0x86 0x30 and U+20000 𠀀 is 0x95 0x32 0x82 0x36: neither exists in GBK.
    const body = bytes(0x81, 0x30, 0x86, 0x30, 0x95, 0x32, 0x82, 0x36);
    assert.deepEqual(decodeBody(body, 'text/plain; charset=GB18030', 'text'), { text: '¸𠀀', encoding: 'gb18030' });
  });

  void it('decodes EUC-KR', () => {
    // 한국 in EUC-KR.
    assert.deepEqual(decodeBody(bytes(0xc7, 0xd1, 0xb1, 0xb9), 'text/html; charset=euc-kr', 'html'), { text: '한국', encoding: 'euc-kr' });
  });

  void it('ignores a <meta> past the first 1024 bytes', () => {
    const filler = ascii(`<html><!--${'x'.repeat(1100)}--><meta charset="utf-8">`);
    const decoded = decodeBody(bytes(...filler, 0xe9), 'text/html', 'html');
    assert.equal(decoded.encoding, 'windows-1252');
    assert.ok(decoded.text.endsWith('é'));
  });

  void it('lets the header win over <meta>', () => {
    const decoded = decodeBody(bytes(...ascii('<meta charset="shift_jis">'), 0xc3, 0xa9), 'text/html; charset=utf-8', 'html');
    assert.equal(decoded.encoding, 'utf-8');
    assert.ok(decoded.text.endsWith('é'));
  });

  void it('treats a <meta> claiming UTF-16 as UTF-8 (WHATWG prescan rule)', () => {
    const decoded = decodeBody(bytes(...ascii('<meta charset="utf-16">'), 0xc3, 0xa9), undefined, 'html');
    assert.equal(decoded.encoding, 'utf-8');
  });

  void it('defaults HTML to windows-1252 and JSON and text to UTF-8', () => {
    assert.deepEqual(decodeBody(bytes(0xe9), undefined, 'html'), { text: 'é', encoding: 'windows-1252' });
    assert.deepEqual(decodeBody(bytes(0xc3, 0xa9), 'application/json', 'json'), { text: 'é', encoding: 'utf-8' });
    assert.deepEqual(decodeBody(bytes(0xc3, 0xa9), undefined, 'text'), { text: 'é', encoding: 'utf-8' });
  });

  void it('does not prescan JSON or text for <meta>', () => {
    assert.equal(decodeBody(bytes(...ascii('"<meta charset=shift_jis>"')), undefined, 'json').encoding, 'utf-8');
  });

  void it('ignores an unknown charset label and falls through to the next rule', () => {
    assert.equal(decodeBody(bytes(...ascii('<meta charset="koi8-r">'), 0xc1), 'text/html; charset=klingon', 'html').encoding, 'koi8-r');
    assert.equal(decodeBody(bytes(0xc3, 0xa9), 'application/json; charset=klingon', 'json').encoding, 'utf-8');
  });

  void it('turns invalid bytes into U+FFFD instead of throwing (a wrong charset)', () => {
    assert.deepEqual(decodeBody(bytes(0x63, 0x61, 0x66, 0xe9), 'text/html; charset=utf-8', 'html'), { text: 'caf\uFFFD', encoding: 'utf-8' });
  });

  void it('handles an empty body and a body that is a view into a larger buffer', () => {
    assert.deepEqual(decodeBody(new Uint8Array(0), undefined, 'html'), { text: '', encoding: 'windows-1252' });
    const backing = new Uint8Array([0xff, 0xc3, 0xa9, 0xff]);
    assert.equal(decodeBody(backing.subarray(1, 3), 'text/plain; charset=utf-8', 'text').text, 'é');
  });
});

void describe('charsetParameter', () => {
  void it('reads quoted, unquoted and oddly spaced parameters', () => {
    assert.equal(charsetParameter('text/html; charset=UTF-8'), 'UTF-8');
    assert.equal(charsetParameter('text/html;charset="shift_jis"; foo=bar'), 'shift_jis');
    assert.equal(charsetParameter('text/html ;  CHARSET = latin1'), 'latin1');
    assert.equal(charsetParameter('text/html'), undefined);
    assert.equal(charsetParameter('text/html; charset='), undefined);
    assert.equal(charsetParameter(undefined), undefined);
  });
});

void describe('whatwgName', () => {
  void it('maps labels to WHATWG names', () => {
    assert.equal(whatwgName('latin1'), 'windows-1252');
    assert.equal(whatwgName('US-ASCII'), 'windows-1252');
    assert.equal(whatwgName('sjis'), 'shift_jis');
    assert.equal(whatwgName('ks_c_5601-1987'), 'euc-kr');
    assert.equal(whatwgName('utf8'), 'utf-8');
    assert.equal(whatwgName('nonsense'), undefined);
    assert.equal(whatwgName(''), undefined);
  });
});
