import { deepFreeze } from '../common/deep-freeze.js';
import { IamUnauthorizedError } from '../errors/iam-errors.js';

/** A JWS in compact form, split and decoded but not yet verified. */
export interface CompactJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** `<header>.<payload>` exactly as received: what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Invalid UTF-8 is an error, not silently replaced, so the JSON seen is the JSON signed. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function malformed(reason: string): IamUnauthorizedError {
  return new IamUnauthorizedError('auth.failure.malformed', `The token is malformed: ${reason}.`);
}

/** The 6-bit value of a base64url character already known to be in the alphabet. */
function base64urlValue(code: number): number {
  if (code >= 0x61) return code - 0x61 + 26; // a-z
  if (code >= 0x41) return code === 0x5f ? 63 : code - 0x41; // _ (0x5f) sorts between Z and a
  return code === 0x2d ? 62 : code - 0x30 + 52; // - or 0-9
}

/**
 * Decodes one base64url segment strictly: the alphabet only (no padding, no whitespace) and the
 * canonical encoding, so one token has one spelling. Buffer's own decoder skips invalid input.
 * Canonical means the bits of the last character that fall beyond the last byte are zero: 4 of
 * them when the length is 4n+2, 2 when it is 4n+3. That is what re-encoding and comparing would
 * show, without a second copy of every segment on every request.
 */
function decodeSegment(segment: string, name: string): Buffer {
  const tail = segment.length % 4;
  if (segment.length === 0 || tail === 1 || !BASE64URL_SEGMENT.test(segment)) {
    throw malformed(`the ${name} is not base64url`);
  }
  if (tail !== 0) {
    const unusedBits = tail === 2 ? 0b1111 : 0b11;
    if ((base64urlValue(segment.charCodeAt(segment.length - 1)) & unusedBits) !== 0) {
      throw malformed(`the ${name} is not canonical base64url`);
    }
  }
  return Buffer.from(segment, 'base64url');
}

function decodeJsonObject(segment: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(decodeSegment(segment, name)));
  } catch (error) {
    if (error instanceof IamUnauthorizedError) throw error;
    throw malformed(`the ${name} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`the ${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * The header segment decoded last, and what it decoded to (frozen: every token with that header
 * shares it). An issuer signs every token with the same few headers (`alg`, `kid`, `typ`), so
 * nearly every token's header is the previous token's: one string comparison instead of a
 * base64url, UTF-8 and JSON decode. Decoding is a pure function of the segment's text, so a token
 * served from here gets the header it would have got anyway, checked the same way after; a token
 * with another header replaces the entry, so what is held stays one header, whatever is sent.
 */
let lastHeader:
  | { readonly segment: string; readonly header: Readonly<Record<string, unknown>> }
  | undefined;

function decodeHeader(segment: string): Readonly<Record<string, unknown>> {
  const last = lastHeader;
  if (last !== undefined && segment === last.segment) return last.header;
  const header = deepFreeze(decodeJsonObject(segment, 'header'));
  lastHeader = { segment, header };
  return header;
}

/**
 * The size cap, before any other work. Header values reach Node as latin1 strings, one character
 * per byte, so the length is the size in bytes.
 */
export function checkTokenSize(token: string, maxTokenBytes: number): void {
  if (token.length > maxTokenBytes) throw malformed('it is larger than allowed');
}

/**
 * Splits and decodes an RFC 7515 compact JWS: exactly three base64url segments, header and payload
 * JSON objects. The size cap is checked before any other work.
 */
export function parseCompactJws(token: string, maxTokenBytes: number): CompactJws {
  checkTokenSize(token, maxTokenBytes);
  const firstDot = token.indexOf('.');
  const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1);
  if (secondDot === -1 || token.indexOf('.', secondDot + 1) !== -1) {
    throw malformed('it does not have three segments');
  }
  const header = decodeHeader(token.slice(0, firstDot));
  const payload = decodeJsonObject(token.slice(firstDot + 1, secondDot), 'payload');
  const signature = decodeSegment(token.slice(secondDot + 1), 'signature');
  return { header, payload, signingInput: token.slice(0, secondDot), signature };
}
