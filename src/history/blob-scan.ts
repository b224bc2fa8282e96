// Scans a stream of git blobs with the engine. Runs in a worker thread or in-process; pure apart
// from the stream it is handed.
import type { Engine } from '../engine/detect.js';
import type { RuleMeta } from '../findings/build.js';
import { scanFragment } from '../findings/scan-fragment.js';
import type { CatFileItem } from '../sources/git/cat-file.js';
import { decodeText } from '../sources/text-decoding.js';
import type { Diagnostic, DiagnosticKind, Finding } from '../types.js';

const LFS_HEADER = Buffer.from('version https://git-lfs.github.com/spec/');

export interface BlobFindings {
  oid: string;
  /** Findings without a path yet: file is '' and fingerprint is recomputed per path. */
  findings: Finding[];
}

export interface BlobScanTally {
  blobs: number;
  bytes: number;
  skipped: Partial<Record<DiagnosticKind, number>>;
}

export interface BlobScanResult extends BlobScanTally {
  results: BlobFindings[];
  diagnostics: Diagnostic[];
}

function isLfsPointer(bytes: Buffer): boolean {
  return bytes.length < 1024 && bytes.subarray(0, LFS_HEADER.length).equals(LFS_HEADER);
}

export function classifyBlob(bytes: Buffer): 'text' | 'binary' | 'lfs' {
  if (isLfsPointer(bytes)) return 'lfs';
  return decodeText(bytes).kind === 'binary' ? 'binary' : 'text';
}

export async function scanBlobs(
  items: AsyncIterable<CatFileItem> | Iterable<CatFileItem>,
  engine: Engine,
  meta: ReadonlyMap<string, RuleMeta>,
  opts: { redact: boolean; paths?: { get(oid: string): string | undefined }; onTally?: (t: BlobScanTally) => void },
): Promise<BlobScanResult> {
  const tally: BlobScanResult = { blobs: 0, bytes: 0, skipped: {}, results: [], diagnostics: [] };
  const skip = (k: DiagnosticKind): void => {
    tally.skipped[k] = (tally.skipped[k] ?? 0) + 1;
  };
  for await (const item of items) {
    if ('missing' in item) {
      skip('missing-object');
      tally.diagnostics.push({ kind: 'missing-object', level: 'error', message: `git object ${item.oid} is missing` });
      continue;
    }
    if (isLfsPointer(item.bytes)) {
      skip('lfs');
      continue;
    }
    const decoded = decodeText(item.bytes);
    if (decoded.kind === 'binary') {
      skip('binary');
      continue;
    }
    // A known path lets path-scoped rules and path allowlists gate as in a file scan.
    const path = opts.paths?.get(item.oid);
    if (path !== undefined && engine.isPathAllowlisted(path)) {
      skip('allowlisted');
      continue;
    }
    tally.blobs++;
    tally.bytes += item.bytes.length;
    // UTF-16 blobs are scanned decoded, as files are (see sources/text-decoding.ts)
    const fragment = { bytes: decoded.bytes, path: path ?? '' };
    const out = scanFragment(fragment, engine, meta, {
      redact: opts.redact,
      deferPathChecks: path === undefined,
      where: `blob ${item.oid}${path ? ` (${path})` : ''}`,
    });
    if (out.findings.length > 0) tally.results.push({ oid: item.oid, findings: out.findings });
    tally.diagnostics.push(...out.diagnostics);
    if ((tally.blobs & 255) === 0) opts.onTally?.(tally);
  }
  opts.onTally?.(tally);
  return tally;
}
