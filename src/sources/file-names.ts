// File names are bytes on POSIX systems. A name that is not valid UTF-8 is read through its raw
// bytes and reported with each invalid byte written as \xNN, so two such files never collide in a
// report or a fingerprint and a reader can still find the file.

const strict = new TextDecoder('utf-8', { fatal: true });

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  const n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n <= 1 || i + n > b.length) return n === 1 ? 1 : 0;
  try {
    strict.decode(b.subarray(i, i + n));
    return n;
  } catch {
    return 0;
  }
}

/** The name as reported, and whether it had to be escaped (it is not valid UTF-8). */
export function displayName(raw: Buffer): { name: string; escaped: boolean } {
  try {
    return { name: strict.decode(raw), escaped: false };
  } catch {
    let out = '';
    for (let i = 0; i < raw.length; ) {
      const n = sequenceLength(raw, i);
      if (n === 0) {
        out += `\\x${raw[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
        i++;
      } else {
        out += raw.toString('utf8', i, i + n);
        i += n;
      }
    }
    return { name: out, escaped: true };
  }
}
