/**
 * GitLab routable tokens: offline checksum verification and synthetic generation.
 *
 * Format (GitLab handbook design document "Cells: Routable Tokens" and the reference
 * implementation `Authn::TokenField::Generator::RoutableToken` in gitlab-org/gitlab):
 *
 *   current (token version 1):
 *     <prefix><base64-payload>.<version:2>.<base64-payload-length:2><crc32:7>
 *     base64-payload = base64url-nopad( <16 random bytes><routing-payload><routing-payload-size:1 byte> )
 *
 *   earlier, unversioned (design document revision that introduced the CRC):
 *     <prefix><base64-payload>.<base64-payload-length:2><crc32:7>
 *     base64-payload = base64url-nopad( <routing-payload><random bytes><random-bytes-length:1 byte> )
 *
 * - <version> is the token version in base36, left-padded to 2 ("01").
 * - <base64-payload-length> is the length of <base64-payload> in base36, left-padded to 2.
 * - <crc32> is zlib CRC-32 of everything before it (prefix included) in base36,
 *   left-padded to 7.
 * - <routing-payload> is newline-separated "k:v" lines, sorted by key, integer values in
 *   base36 (keys documented: c cell, g group, o organization, p project, u user, t runner type).
 * - 27 <= length(<base64-payload>) <= 300; the prefix is at most 20 characters by design, up to
 *   64 are accepted here
 *   (an instance token prefix may make it longer, e.g. "acme-glpat-"). Because the prefix is
 *   part of the checksummed text, the token passed in must start with its complete prefix.
 */
import * as zlib from 'node:zlib';

const CRC_CHARS = 7;
const LENGTH_CHARS = 2;
const TOKEN_VERSION = '01';
const RANDOM_BYTES_LENGTH = 16;
const MIN_B64_PAYLOAD = 27;
const MAX_B64_PAYLOAD = 300;
const MAX_PREFIX = 64;
const MIN_ROUTING_PAYLOAD = 3;
const MAX_ROUTING_PAYLOAD = 159;
const MIN_RANDOM_BYTES = 16;
const MAX_RANDOM_BYTES = 65;

const B64URL = /^[A-Za-z0-9_-]+$/;
const BASE36 = /^[0-9a-z]+$/;
// GitLab accepts a custom token prefix of base64 letters plus '@', ':' and '.'.
const PREFIX = /^[A-Za-z0-9_+=\/@:.-]*$/;
const ROUTING_LINE = /^[a-z]:[\x21-\x7e]{1,64}$/;

let crcTable: Uint32Array | undefined;

function crc32Fallback(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** zlib.crc32 exists from Node 20.15 / 22.2; older Node 20 releases use the table version. */
const nativeCrc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;

function crc32(text: string): number {
  const data = Buffer.from(text, 'latin1');
  return typeof nativeCrc32 === 'function' ? nativeCrc32(data) >>> 0 : crc32Fallback(data);
}

function crcField(text: string): string {
  return crc32(text).toString(36).padStart(CRC_CHARS, '0');
}

function validRoutingPayload(bytes: Buffer): boolean {
  if (bytes.length < MIN_ROUTING_PAYLOAD || bytes.length > MAX_ROUTING_PAYLOAD) return false;
  const lines = bytes.toString('latin1').split('\n');
  return lines.every((line) => ROUTING_LINE.test(line));
}

/**
 * True only for a well-formed GitLab routable token (prefix included, e.g. "glpat-...")
 * whose CRC-32 checksum verifies and whose decoded payload has the documented layout.
 */
export function isValidGitlabRoutable(token: string): boolean {
  if (typeof token !== 'string') return false;
  // shortest: 27-char payload + "." + 2-char length + 7-char CRC
  if (token.length < MIN_B64_PAYLOAD + 1 + LENGTH_CHARS + CRC_CHARS) return false;
  if (token.length > MAX_PREFIX + MAX_B64_PAYLOAD + 4 + LENGTH_CHARS + CRC_CHARS) return false;

  const crc = token.slice(-CRC_CHARS);
  const checked = token.slice(0, -CRC_CHARS);
  if (!BASE36.test(crc) || crcField(checked) !== crc) return false;

  const lengthField = checked.slice(-LENGTH_CHARS);
  if (!BASE36.test(lengthField)) return false;
  let rest = checked.slice(0, -LENGTH_CHARS);
  if (!rest.endsWith('.')) return false;
  rest = rest.slice(0, -1);

  // Token version 1 puts ".<version>" before the length field. base64url has no "." and the
  // payload is at least 27 characters, so a trailing ".xx" can only be a version field.
  let version: string | undefined;
  const versioned = /\.([0-9a-z]{2})$/.exec(rest);
  if (versioned) {
    version = versioned[1];
    rest = rest.slice(0, -3);
  }

  const b64Length = parseInt(lengthField, 36);
  if (b64Length < MIN_B64_PAYLOAD || b64Length > MAX_B64_PAYLOAD || b64Length > rest.length) return false;
  if (b64Length % 4 === 1) return false; // impossible length for unpadded base64
  const prefix = rest.slice(0, rest.length - b64Length);
  const b64 = rest.slice(rest.length - b64Length);
  if (prefix.length > MAX_PREFIX || !PREFIX.test(prefix) || !B64URL.test(b64)) return false;

  const bytes = Buffer.from(b64, 'base64url');
  const last = bytes[bytes.length - 1]!;

  if (version === undefined) {
    // <routing-payload><random bytes><random-bytes-length>
    if (last < MIN_RANDOM_BYTES || last > MAX_RANDOM_BYTES) return false;
    return validRoutingPayload(bytes.subarray(0, bytes.length - 1 - last));
  }
  if (version === TOKEN_VERSION) {
    // <16 random bytes><routing-payload><routing-payload-size>
    if (bytes.length !== RANDOM_BYTES_LENGTH + last + 1) return false;
    return validRoutingPayload(bytes.subarray(RANDOM_BYTES_LENGTH, bytes.length - 1));
  }
  // A later token version: checksum and framing verified, payload layout unknown.
  return true;
}

/**
 * Builds a checksum-valid version-1 routable token such as "glpat-<payload>.01.<len><crc>".
 * `prefix` may be given with or without its trailing "-" ("glpat" and "glpat-" are the same);
 * every random byte (the 16 token bytes and the routing ids) comes from `random`.
 */
export function makeGitlabRoutable(prefix: string, random: (n: number) => Buffer): string {
  const fullPrefix = /[-_]$/.test(prefix) || prefix === '' ? prefix : `${prefix}-`;
  const randomBytes = random(RANDOM_BYTES_LENGTH);
  if (randomBytes.length !== RANDOM_BYTES_LENGTH) throw new Error('random(n) must return n bytes');
  const ids = random(8);
  const cell = (ids[0]! % 35) + 1;
  const org = ids.readUInt16BE(1) + 1;
  const user = ids.readUInt32BE(3) + 1;
  const routing = `c:${cell.toString(36)}\no:${org.toString(36)}\nu:${user.toString(36)}`;
  const payload = Buffer.concat([
    randomBytes,
    Buffer.from(routing, 'latin1'),
    Buffer.from([routing.length]),
  ]);
  const b64 = payload.toString('base64url');
  const checked = `${fullPrefix}${b64}.${TOKEN_VERSION}.${b64.length.toString(36).padStart(LENGTH_CHARS, '0')}`;
  return `${checked}${crcField(checked)}`;
}
