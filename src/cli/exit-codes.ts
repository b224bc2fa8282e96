export const EXIT_OK = 0;
/** Findings remain after allowlists and baseline. */
export const EXIT_FINDINGS = 1;
/** Usage or configuration error, or an incomplete scan. */
export const EXIT_ERROR = 2;
