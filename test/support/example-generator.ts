// Expands the %{...} templates of rule examples into synthetic secrets, deterministically, so the
// repository itself never holds a realistic secret.
import { createHash } from 'node:crypto';
import { withBase62Crc } from '../../src/engine/checksums/github.js';
import { makeGitlabRoutable } from '../../src/engine/checksums/gitlab.js';

const CLASSES: Record<string, string> = {
  alnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  hex: '0123456789abcdef',
  HEX: '0123456789ABCDEF',
  lownum: 'abcdefghijklmnopqrstuvwxyz0123456789',
  upnum: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
};

/** A seeded byte stream (SHA-256 in counter mode): the same seed gives the same examples. */
export class SeededRandom {
  private counter = 0;
  private pool = Buffer.alloc(0);
  constructor(private readonly seed: string) {}

  bytes(n: number): Buffer {
    while (this.pool.length < n) {
      const block = createHash('sha256').update(`${this.seed}\0${this.counter++}`).digest();
      this.pool = Buffer.concat([this.pool, block]);
    }
    const out = this.pool.subarray(0, n);
    this.pool = this.pool.subarray(n);
    return Buffer.from(out);
  }

  /** n characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias). */
  chars(alphabet: string, n: number): string {
    let out = '';
    const limit = 256 - (256 % alphabet.length);
    while (out.length < n) {
      for (const b of this.bytes(n - out.length)) {
        if (b < limit && out.length < n) out += alphabet[b % alphabet.length];
      }
    }
    return out;
  }
}

export function expandCharset(spec: string): string {
  let out = '';
  for (let i = 0; i < spec.length; i++) {
    const a = spec[i]!;
    if (spec[i + 1] === '-' && i + 2 < spec.length) {
      const from = a.charCodeAt(0);
      const to = spec.charCodeAt(i + 2);
      if (to < from) throw new Error(`bad range ${a}-${spec[i + 2]} in %{set:${spec}:…}`);
      for (let c = from; c <= to; c++) out += String.fromCharCode(c);
      i += 2;
    } else out += a;
  }
  return [...new Set(out)].join('');
}

/** A signed-looking JWT; `no-alg` gives a header without the alg RFC 7515 requires (typ and kid only). */
function jwt(rng: SeededRandom, variant: string | undefined): string {
  if (variant !== undefined && variant !== 'no-alg') throw new Error(`template %{jwt:${variant}}: only no-alg is known`);
  const fields = variant === 'no-alg' ? { typ: 'JWT', kid: rng.chars(CLASSES.alnum!, 12) } : { alg: 'HS256', typ: 'JWT' };
  const header = Buffer.from(JSON.stringify(fields)).toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ sub: rng.chars(CLASSES.digits!, 10), name: rng.chars(CLASSES.alpha!, 8), iat: 1700000000 }),
  ).toString('base64url');
  return `${header}.${payload}.${rng.chars(CLASSES.base64url!, 43)}`;
}

const TEMPLATE = /%\{([A-Za-z0-9-]+)(?::([^}]*))?\}/g;

export function expandTemplate(text: string, rng: SeededRandom): string {
  return text.replace(TEMPLATE, (whole, kind: string, args: string | undefined) => {
    const cls = CLASSES[kind];
    if (cls) {
      const n = Number(args);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`template ${whole}: length required`);
      return rng.chars(cls, n);
    }
    switch (kind) {
      case 'set': {
        const at = args?.lastIndexOf(':') ?? -1;
        if (!args || at <= 0) throw new Error(`template ${whole}: expected %{set:CHARS:N}`);
        const n = Number(args.slice(at + 1));
        if (!Number.isInteger(n) || n <= 0) throw new Error(`template ${whole}: length required`);
        return rng.chars(expandCharset(args.slice(0, at)), n);
      }
      case 'github':
        if (!args || !/^gh[pousr]$/.test(args)) throw new Error(`template ${whole}: prefix must be ghp|gho|ghu|ghs|ghr`);
        return withBase62Crc(`${args}_`, rng.chars(CLASSES.alnum!, 30));
      case 'npm':
        return withBase62Crc('npm_', rng.chars(CLASSES.alnum!, 30));
      case 'gitlab':
        if (!args) throw new Error(`template ${whole}: prefix required`);
        return makeGitlabRoutable(args, (n) => rng.bytes(n));
      case 'uuid': {
        const h = rng.bytes(16);
        h[6] = (h[6]! & 0x0f) | 0x40;
        h[8] = (h[8]! & 0x3f) | 0x80;
        const x = h.toString('hex');
        return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
      }
      case 'jwt':
        return jwt(rng, args);
      default:
        throw new Error(`unknown template ${whole}`);
    }
  });
}

export interface ExpandedExample {
  text: string;
  /** For tp examples: the secret between « and ». */
  secret?: string;
}

/** Expands an example; « » mark the expected secret and are removed from the text. */
export function expandExample(template: string, seed: string): ExpandedExample {
  const rng = new SeededRandom(seed);
  const open = template.indexOf('«');
  const close = template.indexOf('»');
  if (open === -1 && close === -1) return { text: expandTemplate(template, rng) };
  if (open === -1 || close === -1 || close < open || template.indexOf('«', open + 1) !== -1) {
    throw new Error('an example needs exactly one « » pair around the secret');
  }
  const pre = expandTemplate(template.slice(0, open), rng);
  const secret = expandTemplate(template.slice(open + 1, close), rng);
  const post = expandTemplate(template.slice(close + 1), rng);
  return { text: pre + secret + post, secret };
}
