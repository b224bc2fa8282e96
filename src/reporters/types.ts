import type { ScanResult } from '../types.js';
import type { ToolInfo } from '../version.js';

export interface ReportMeta {
  tool: ToolInfo;
  /** Colour escapes allowed (text reporter on a TTY). */
  color?: boolean;
}

export type Reporter = (result: ScanResult, meta: ReportMeta) => string;
