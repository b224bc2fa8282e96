import type { Diagnostic, DiagnosticKind, Fragment } from '../types.js';

/** What a source yields: bytes to scan, or a note about something it could not or would not read. */
export type SourceItem =
  | { kind: 'fragment'; fragment: Fragment }
  | { kind: 'skipped'; reason: DiagnosticKind; path: string; diagnostic?: Diagnostic }
  | { kind: 'diagnostic'; diagnostic: Diagnostic };
