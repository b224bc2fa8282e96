import type { Reporter } from './types.js';

export const REPORT_VERSION = '1';

/** The machine-readable report; `keywarden verify` and later commands read it back. */
export const jsonReporter: Reporter = (result, meta) =>
  `${JSON.stringify(
    {
      version: REPORT_VERSION,
      tool: { name: meta.tool.name, version: meta.tool.version },
      complete: result.complete,
      findings: result.findings,
      diagnostics: result.diagnostics,
      stats: result.stats,
      ...(result.baseline ? { baseline: result.baseline } : {}),
    },
    null,
    2,
  )}\n`;
