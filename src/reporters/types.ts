import type { RuleMeta } from '../findings/build.js';
import type { ScanResult } from '../types.js';
import type { ToolInfo } from '../version.js';

export interface ReportMeta {
  tool: ToolInfo;
  /** Colour escapes allowed (text reporter on a TTY). */
  color?: boolean;
  /**
   * Every rule the scan ran with. SARIF lists them all in tool.driver.rules (as CodeQL does);
   * without it, only the rules that produced findings are described.
   */
  rules?: readonly RuleMeta[];
}

export type Reporter = (result: ScanResult, meta: ReportMeta) => string;
