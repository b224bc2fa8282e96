import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isValidGitlabRoutable, makeGitlabRoutable } from '../../../src/engine/checksums/gitlab.js';

/** Deterministic byte source: SHA-256 counter stream from a seed. */
function seededRandom(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n: number) => {
    const out: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      out.push(block);
      have += block.length;
    }
    return Buffer.concat(out).subarray(0, n);
  };
}

function crcField(text: string): string {
  return (zlib.crc32(text) >>> 0).toString(36).padStart(7, '0');
}

/** Replaces the character at i with a different character of the same alphabet. */
function flip(token: string, i: number): string {
  const c = token[i]!;
  const alphabet = /[0-9a-z]/.test(c) && i >= token.length - 9
    ? '0123456789abcdefghijklmnopqrstuvwxyz'
    : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  const next = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]!;
  return token.slice(0, i) + next + token.slice(i + 1);
}

// Documented samples are assembled from fragments so that no complete, checksum-valid token
// literal appears in the repository (keywarden scans its own tree).
// From gitlab-org/gitlab spec/lib/authn/token_field/decoders/v1/routable_payload_spec.rb:
// a version-1 runner token whose payload decodes to c:1, g:8, o:rz (1007), t:2.
const GITLAB_SPEC_RUNNER = ['glrtr-', 'W5m1cHR6skC98Bx7XkuYjmM6', 'MQpnOjgKbzpyegp0OjIQ', '.01.18', '1uebm4k'].join('');
// Same spec, "when crc is not correct": last CRC character changed.
const GITLAB_SPEC_RUNNER_BAD_CRC = GITLAB_SPEC_RUNNER.slice(0, -1) + 'l';
// GitLab handbook "Cells: Routable Tokens", "Minimum token length" (unversioned, no prefix, o:1).
const HANDBOOK_MINIMUM = ['bzoxd_Rb5_cHeWe1JH56', 'wr2FCBA', '.0r', '1pum4t4'].join('');
// Same document, "Maximum token length": 20-character prefix, 300-character payload.
const HANDBOOK_MAXIMUM = [
  '+'.repeat(20),
  'YzozdzVlMTEyNjRzZ3NmCmc6M3c1ZTExMjY0c2dzZgpoOjN3NWUxMTI2NHNnc2YKajozdzVlMTEyNjRzZ3NmCms6',
  'M3c1ZTExMjY0c2dzZgpsOjN3NWUxMTI2NHNnc2YKbTozdzVlMTEyNjRzZ3NmCm86M3c1ZTExMjY0c2dzZgpwOjN3',
  'NWUxMTI2NHNnc2YKdTozdzVlMTEyNjRzZ3Nmw5bzMmayzK43Ugba9fl8T_I-nZqc5gxOGH2HsUF6-J7UesTG4lmc',
  '3PT2aoPyuiUndG5Ci5IMThAbaiNkUTR87KBB',
  '.8c',
  '1adh6iv',
].join('');

describe('isValidGitlabRoutable: documented samples', () => {
  it('accepts the version-1 token from GitLab\'s decoder spec and checks its structure', () => {
    expect(GITLAB_SPEC_RUNNER).toMatch(/^glrtr-[A-Za-z0-9_-]{44}\.01\.18[0-9a-z]{7}$/);
    // "18" in base36 is 44, the length of the base64 payload
    expect(parseInt('18', 36)).toBe(44);
    const payload = Buffer.from(GITLAB_SPEC_RUNNER.slice(6, 50), 'base64url');
    expect(payload.length).toBe(16 + 16 + 1);
    expect(payload.subarray(16, -1).toString('latin1')).toBe('c:1\ng:8\no:rz\nt:2');
    expect(payload[payload.length - 1]).toBe(16);
    expect(crcField(GITLAB_SPEC_RUNNER.slice(0, -7))).toBe(GITLAB_SPEC_RUNNER.slice(-7));
    expect(isValidGitlabRoutable(GITLAB_SPEC_RUNNER)).toBe(true);
  });

  it('rejects the decoder spec\'s bad-CRC variant', () => {
    expect(isValidGitlabRoutable(GITLAB_SPEC_RUNNER_BAD_CRC)).toBe(false);
  });

  it('accepts the handbook\'s unversioned minimum and maximum tokens', () => {
    expect(HANDBOOK_MINIMUM.length).toBe(37);
    expect(HANDBOOK_MAXIMUM.length).toBe(330);
    expect(isValidGitlabRoutable(HANDBOOK_MINIMUM)).toBe(true);
    expect(isValidGitlabRoutable(HANDBOOK_MAXIMUM)).toBe(true);
  });
});

describe('makeGitlabRoutable', () => {
  const prefixes = ['glpat', 'glpat-', 'gldt', 'glrt', 'glrtr', 'glrt-t2_', 'acme-glpat'];

  it.each(prefixes)('round-trips with prefix %s', (prefix) => {
    const random = seededRandom(`round-trip:${prefix}`);
    for (let i = 0; i < 50; i++) {
      const token = makeGitlabRoutable(prefix, random);
      const expectedPrefix = /[-_]$/.test(prefix) ? prefix : `${prefix}-`;
      expect(token.startsWith(expectedPrefix)).toBe(true);
      expect(token.slice(expectedPrefix.length)).toMatch(/^[A-Za-z0-9_-]{27,300}\.01\.[0-9a-z]{2}[0-9a-z]{7}$/);
      expect(isValidGitlabRoutable(token)).toBe(true);
    }
  });

  it('is deterministic for a given byte source and uses it for all randomness', () => {
    const a = makeGitlabRoutable('glpat', seededRandom('same'));
    const b = makeGitlabRoutable('glpat', seededRandom('same'));
    const c = makeGitlabRoutable('glpat', seededRandom('other'));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('encodes the documented version-1 layout', () => {
    const token = makeGitlabRoutable('glpat', seededRandom('layout'));
    const m = /^glpat-([A-Za-z0-9_-]+)\.01\.([0-9a-z]{2})([0-9a-z]{7})$/.exec(token);
    expect(m).not.toBeNull();
    const [, b64, len, crc] = m!;
    expect(parseInt(len!, 36)).toBe(b64!.length);
    expect(crc).toBe(crcField(token.slice(0, -7)));
    const bytes = Buffer.from(b64!, 'base64url');
    const routingSize = bytes[bytes.length - 1]!;
    expect(bytes.length).toBe(16 + routingSize + 1);
    expect(bytes.subarray(16, -1).toString('latin1')).toMatch(/^c:[0-9a-z]+\no:[0-9a-z]+\nu:[0-9a-z]+$/);
  });
});

describe('isValidGitlabRoutable: rejections', () => {
  const token = makeGitlabRoutable('glpat', seededRandom('reject'));

  it('rejects a token with any single character changed', () => {
    for (let i = 0; i < token.length; i++) {
      const changed = flip(token, i);
      expect(changed).not.toBe(token);
      expect(isValidGitlabRoutable(changed), `position ${i}: ${changed}`).toBe(false);
    }
  });

  it('rejects truncated, extended and case-changed tokens', () => {
    expect(isValidGitlabRoutable(token.slice(0, -1))).toBe(false);
    expect(isValidGitlabRoutable(token.slice(1))).toBe(false);
    expect(isValidGitlabRoutable(`${token}0`)).toBe(false);
    expect(isValidGitlabRoutable(token.toUpperCase())).toBe(false);
  });

  it('rejects a wrong payload-length field even when the CRC is recomputed', () => {
    const body = token.slice(0, -9);
    const len = parseInt(token.slice(-9, -7), 36);
    const forged = `${body}${(len - 1).toString(36).padStart(2, '0')}`;
    expect(isValidGitlabRoutable(`${forged}${crcField(forged)}`)).toBe(false);
  });

  it('rejects a correctly checksummed string whose payload is not a routable payload', () => {
    const noise = Buffer.alloc(33, 0xff).toString('base64url');
    const forged = `glpat-${noise}.01.${noise.length.toString(36).padStart(2, '0')}`;
    expect(isValidGitlabRoutable(`${forged}${crcField(forged)}`)).toBe(false);
  });

  it('rejects classic 20-character tokens and placeholders', () => {
    expect(isValidGitlabRoutable('glpat-' + 'x'.repeat(20))).toBe(false);
    expect(isValidGitlabRoutable('glpat-' + 'x'.repeat(27) + '.01.0r' + '0000000')).toBe(false);
    expect(isValidGitlabRoutable('')).toBe(false);
  });
});

describe('CRC-32 without zlib.crc32 (Node < 20.15)', () => {
  afterEach(() => {
    vi.doUnmock('node:zlib');
    vi.resetModules();
  });

  it('gives the same results with the table-based fallback', async () => {
    vi.resetModules();
    vi.doMock('node:zlib', async (importOriginal) => {
      const original = await importOriginal<typeof import('node:zlib')>();
      return { ...original, crc32: undefined };
    });
    const fallback = await import('../../../src/engine/checksums/gitlab.js');
    expect(fallback.isValidGitlabRoutable(GITLAB_SPEC_RUNNER)).toBe(true);
    expect(fallback.isValidGitlabRoutable(GITLAB_SPEC_RUNNER_BAD_CRC)).toBe(false);
    const token = fallback.makeGitlabRoutable('glpat', seededRandom('fallback'));
    expect(token).toBe(makeGitlabRoutable('glpat', seededRandom('fallback')));
  });
});
