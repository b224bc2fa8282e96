// History scans split blobs across worker threads: the split must not change what is found.
// shard() is checked as a pure function; the whole scan through the CLI, in-process against
// worker threads (reading git through pipes, and fed batches by the main thread), on generated
// repositories large enough to take the worker path (> 4 MiB).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shard } from '../../src/history/scan-history.js';
import { git, gitInit, runCli, tempDir, writeTree } from '../support/cli.js';
import { DEMO_CONFIG, demoTokens } from '../support/demo-rules.js';

describe('history sharding', () => {
  it('shard() splits blobs into at most n non-empty, order-preserving slices that cover every blob once', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1_000_000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 16 }), (sizes, n) => {
        const blobs = sizes.map((size, i) => ({ oid: `o${i}`, size }));
        const parts = shard(blobs, n);
        expect(parts.length).toBeLessThanOrEqual(Math.max(1, n));
        for (const p of parts) expect(p.length).toBeGreaterThan(0);
        expect(parts.flat()).toEqual(blobs);
      }),
      { numRuns: 300 },
    );
  });

  it('worker threads find exactly what one in-process scan finds, wherever the secrets sit', () => {
    const token = demoTokens('sharding');
    fc.assert(
      fc.property(
        fc.array(fc.record({ file: fc.nat({ max: 79 }), at: fc.double({ min: 0, max: 1, noNaN: true }), commit: fc.nat({ max: 2 }) }), { minLength: 1, maxLength: 25 }),
        (placements) => {
          const d = tempDir('kw-shard-');
          gitInit(d);
          writeTree(d, { '.keywarden.toml': DEMO_CONFIG });
          // three commits of 80 files of ~20 KB of base64 text: ~5 MB of unique blobs
          for (let c = 0; c < 3; c++) {
            const files: Record<string, string> = {};
            for (let f = 0; f < 80; f++) {
              const lines = randomBytes(15_000).toString('base64').match(/.{1,76}/g)!;
              for (const p of placements) if (p.commit === c && p.file === f) lines.splice(Math.floor(p.at * lines.length), 0, `key = ${token()}`);
              files[`dir${f % 7}/file${f}.txt`] = `${lines.join('\n')}\n`;
            }
            writeTree(d, files);
            git(d, 'add', '-A');
            git(d, 'commit', '-q', '-m', `commit ${c}`);
          }
          const scan = (threads: string, env: NodeJS.ProcessEnv = process.env): unknown => {
            const r = runCli(['scan', '--history', d, '--threads', threads, '-f', 'json', '--all-occurrences'], { env });
            expect(r.code).toBe(1);
            const report = JSON.parse(r.stdout) as { findings: unknown[]; stats: { blobsScanned: number } };
            return { findings: report.findings, blobs: report.stats.blobsScanned };
          };
          const single = scan('1');
          // workers reading git through OS pipes, fed as the walk lists blobs (the native addon's way)
          expect(scan('3')).toEqual(single);
          // and workers sent batches by the main thread (the portable way)
          expect(scan('3', { ...process.env, KEYWARDEN_NATIVE: '0' })).toEqual(single);
          expect((single as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 3 },
    );
  });
});
