import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../src/engine/location.js';
import { nativeAddon } from '../../src/engine/native.js';

function jsLineStarts(bytes: Buffer): number[] {
  const starts = [0];
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) starts.push(i + 1);
  return starts;
}

describe('LineIndex', () => {
  it('has the native line starts where the addon is built: 0 and the offset after every newline', () => {
    const native = nativeAddon();
    expect(typeof native?.lineStarts).toBe(process.env.KEYWARDEN_NATIVE === '0' ? 'undefined' : 'function');
    if (!native) return;
    expect([...native.lineStarts(Buffer.alloc(0))!]).toEqual([0]);
    expect([...native.lineStarts(Buffer.from('\n\na\r\nb'))!]).toEqual([0, 1, 2, 5]);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('\n', '\r\n', '\xff', 'é'), fc.string({ maxLength: 20 })), { maxLength: 50 }), (parts) => {
        const bytes = Buffer.from(parts.join(''), 'latin1');
        expect([...native.lineStarts(bytes)!]).toEqual(jsLineStarts(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('locates secrets by line and UTF-16 column, on the first and last lines and after multi-byte characters', () => {
    const text = 'first\r\nsé: SECRET1 x\nlast SECRET2';
    const bytes = Buffer.from(text, 'utf8');
    const lines = new LineIndex(bytes);
    const at = (s: string) => [bytes.indexOf(s), bytes.indexOf(s) + s.length] as const;
    expect(lines.locate(...at('SECRET1'))).toEqual({ line: 2, column: 5, endLine: 2, endColumn: 12 });
    expect(lines.locate(...at('SECRET2'))).toEqual({ line: 3, column: 6, endLine: 3, endColumn: 13 });
    expect(lines.locate(...at('first'))).toEqual({ line: 1, column: 1, endLine: 1, endColumn: 6 });
    expect(lines.lineRange(0)).toEqual([0, 5]); // without the CR
  });
});
