// The only module that imports RE2. RE2 keeps matching linear in the input, which is what lets
// user-supplied rules run on untrusted repositories without stalling a scan.
import RE2 from 're2';
import { escapeLiteral, unsupportedSyntax } from './regex-syntax.js';

export type Regex = InstanceType<typeof RE2>;

/** Compiles an RE2 pattern; throws an Error whose message says what is wrong. */
export function compileRegex(pattern: string, flags = ''): Regex {
  const unsupported = unsupportedSyntax(pattern);
  if (unsupported) throw new Error(unsupported);
  try {
    return new RE2(pattern, flags);
  } catch (err) {
    throw new Error(`invalid RE2 pattern: ${(err as Error).message}`);
  }
}

/** Case-insensitive multi-literal matcher: which of the keywords occur in a buffer. */
export class KeywordSet {
  private readonly set: InstanceType<typeof RE2.Set> | undefined;
  readonly keywords: readonly string[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    this.set = keywords.length > 0 ? new RE2.Set(keywords.map(escapeLiteral), 'i') : undefined;
  }

  /** Indices (into `keywords`) of the keywords present in `bytes`. */
  match(bytes: Buffer): number[] {
    return this.set ? this.set.match(bytes) : [];
  }
}
