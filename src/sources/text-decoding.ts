// Turns the bytes of a file or blob into the UTF-8 text the engine scans. UTF-16 with a byte-order
// mark is transcoded: its NUL bytes would otherwise make it look binary and hide what it holds.
// Lines and columns of findings then refer to the decoded text, which is what an editor shows:
// a line break is one code unit in either encoding and columns count UTF-16 code units, so
// line:column point at the same character in the original file (the mark itself is not counted).

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

export type Decoded = { kind: 'text'; bytes: Buffer; encoding: TextEncoding } | { kind: 'binary' };

/** How much of the start of a file is searched for a NUL byte to call it binary (as git does). */
export const SNIFF_BYTES = 8000;

function hasNul(bytes: Buffer): boolean {
  return bytes.subarray(0, SNIFF_BYTES).includes(0);
}

function fromUtf16(body: Buffer, encoding: 'utf-16le' | 'utf-16be'): Decoded {
  const even = body.subarray(0, body.length & ~1);
  // swap16 works in place: copy so the caller's buffer stays as read
  const le = encoding === 'utf-16le' ? even : Buffer.from(even).swap16();
  // lone surrogates become U+FFFD; the scan never fails on malformed input
  const bytes = Buffer.from(le.toString('utf16le'), 'utf8');
  return hasNul(bytes) ? { kind: 'binary' } : { kind: 'text', bytes, encoding };
}

/** Classifies and decodes; `bytes` is returned unchanged for plain UTF-8 (or any other 8-bit text). */
export function decodeText(bytes: Buffer): Decoded {
  const b0 = bytes[0];
  const b1 = bytes[1];
  // Without a single NUL no character of the UTF-16 reading is ASCII, so no secret could be found
  // in it: such a file (a stray mark on 8-bit text) is scanned as it is.
  const utf16 = (b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) ? bytes.includes(0, 2) : false;
  if (utf16 && b0 === 0xff) {
    // FF FE 00 00 is UTF-32LE's mark, which is not decoded
    if (bytes[2] === 0 && bytes[3] === 0) return { kind: 'binary' };
    return fromUtf16(bytes.subarray(2), 'utf-16le');
  }
  if (utf16) return fromUtf16(bytes.subarray(2), 'utf-16be');
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) {
    const body = bytes.subarray(3);
    return hasNul(body) ? { kind: 'binary' } : { kind: 'text', bytes: body, encoding: 'utf-8-bom' };
  }
  return hasNul(bytes) ? { kind: 'binary' } : { kind: 'text', bytes, encoding: 'utf-8' };
}

/** Whether findings in text of this encoding carry a note that they refer to the decoded text. */
export function isTranscoded(encoding: TextEncoding): boolean {
  return encoding === 'utf-16le' || encoding === 'utf-16be';
}
