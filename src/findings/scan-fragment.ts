// One fragment through the engine into findings and diagnostics: the same work for a file scanned
// in-process, in a worker thread (workers/fragment-worker.ts) or a history blob (history/blob-scan.ts).
import { describeCap, describeDecodeLimit } from '../engine/caps.js';
import type { Engine } from '../engine/detect.js';
import type { Diagnostic, Finding, Fragment } from '../types.js';
import { buildFindings, type RuleMeta } from './build.js';

export interface FragmentOutcome {
  findings: Finding[];
  diagnostics: Diagnostic[];
}

export interface ScanFragmentOptions {
  redact: boolean;
  /** For blobs whose path is not known yet: path-scoped rules run, and are filtered later. */
  deferPathChecks?: boolean;
  /** How diagnostics name the fragment; by default its path, which they then also carry. */
  where?: string;
}

export function scanFragment(fragment: Fragment, engine: Engine, meta: ReadonlyMap<string, RuleMeta>, opts: ScanFragmentOptions): FragmentOutcome {
  const r = engine.scan(fragment, { deferPathChecks: opts.deferPathChecks });
  const findings = r.matches.length > 0 ? buildFindings(fragment, r.matches, r.lines, meta, { redact: opts.redact }) : [];
  const where = opts.where ?? fragment.path;
  const path = opts.where === undefined ? fragment.path : undefined;
  const diagnostics: Diagnostic[] = [];
  const note = (message: string): void => {
    diagnostics.push({ kind: 'cap-hit', ...(path !== undefined ? { path } : {}), level: 'warning', message });
  };
  if (r.decodeLimited) note(describeDecodeLimit(where));
  for (const cap of r.caps) note(describeCap(cap, where));
  return { findings, diagnostics };
}
