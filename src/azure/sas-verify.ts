// Verifies Shared Access Signature tokens the way the Relay service does: exact HMAC over the raw
// `sr`, lenient audience, expiry. Pure (clock injected); never includes the token in a message.

import { timingSafeEqual } from 'node:crypto';
import { parseSasToken, signSas } from './sas-token.js';

/** A rule a token may be signed with (structurally the relay's SharedAccessRule). */
export interface SasKeyRule {
  name: string;
  primaryKey: string;
  secondaryKey?: string;
  rights: readonly string[];
}

export interface VerifySasOptions {
  /** Rule sets searched in order for the token's `skn` (entity rules first, then namespace rules). */
  ruleSets: readonly (readonly SasKeyRule[])[];
  /** Host names the audience may name (compared case-insensitively; scheme and port ignored). */
  audienceHosts: readonly string[];
  /** The entity path being accessed, e.g. `hc1` or `hc1/suffix` (no leading `$hc/`). */
  targetPath: string;
  /** Current Unix time in seconds. */
  nowSec: number;
}

/** Why a token was refused: `unauthorized` maps to HTTP 401, `forbidden` to 403. */
export type SasFailureKind = 'unauthorized' | 'forbidden';

export type SasVerdict =
  | { ok: true; ruleName: string; rights: readonly string[]; expiresAtSec: number }
  | { ok: false; kind: SasFailureKind; message: string };

/** Splits a path into lower-case segments, ignoring empty ones and a leading `$hc`. */
function segments(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '').map((part) => part.toLowerCase());
  return parts[0] === '$hc' ? parts.slice(1) : parts;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks a token (with or without the `SharedAccessSignature ` prefix). Audience rule: decode `sr`,
 * ignore scheme and port, host must be one of `audienceHosts`, and its path must be empty
 * (namespace-wide) or a whole-segment prefix of `targetPath`, case-insensitively.
 */
export function verifySasToken(token: string, options: VerifySasOptions): SasVerdict {
  const fields = parseSasToken(token);
  if (fields === undefined) {
    return { ok: false, kind: 'unauthorized', message: 'MalformedToken: The credentials contained in the authorization header are not in the WRAP format.' };
  }
  const keyName = safeDecode(fields.skn) ?? fields.skn;
  let rule: SasKeyRule | undefined;
  for (const set of options.ruleSets) {
    rule = set.find((candidate) => candidate.name === keyName);
    if (rule !== undefined) break;
  }
  const providedSig = safeDecode(fields.sig);
  if (rule === undefined || providedSig === undefined) {
    return { ok: false, kind: 'unauthorized', message: 'InvalidSignature: The token has an invalid signature.' };
  }
  const keys = rule.secondaryKey === undefined ? [rule.primaryKey] : [rule.primaryKey, rule.secondaryKey];
  // Sign the raw `sr` text as it appears in the token: encoders differ in escape casing.
  const isSigned = keys.map((key) => sameText(signSas(fields.sr, fields.se, key), providedSig)).includes(true);
  if (!isSigned) {
    return { ok: false, kind: 'unauthorized', message: 'InvalidSignature: The token has an invalid signature.' };
  }
  const expiresAtSec = parseExpirySec(fields.se);
  if (expiresAtSec === undefined) {
    return { ok: false, kind: 'unauthorized', message: 'MalformedToken: The token expiry is not a whole number of seconds since 1970 up to 9999-12-31.' };
  }
  if (expiresAtSec <= options.nowSec) {
    return {
      ok: false,
      kind: 'unauthorized',
      message: `ExpiredToken: The token is expired. Expiration time: '${new Date(expiresAtSec * 1000).toISOString()}'`,
    };
  }
  const audience = checkAudience(fields.sr, options);
  if (audience !== undefined) return audience;
  return { ok: true, ruleName: rule.name, rights: rule.rights, expiresAtSec };
}

/**
 * Latest expiry accepted, Unix s: 9999-12-31T23:59:59Z, the last second a .NET `DateTime` (the
 * service's type) can hold. Azure documents no maximum SAS lifetime; later values cannot be
 * represented by the service, so they are refused as malformed, never clamped.
 */
export const MAX_EXPIRY_SEC = 253_402_300_799;

/**
 * `se` as the SDKs write it: decimal digits only (no sign, exponent, hex, fraction or space),
 * at most {@link MAX_EXPIRY_SEC}. Anything else is undefined (a malformed token, 401).
 */
export function parseExpirySec(se: string): number | undefined {
  if (!/^[0-9]{1,20}$/.test(se)) return undefined;
  const seconds = Number(se);
  return seconds <= MAX_EXPIRY_SEC ? seconds : undefined;
}

function checkAudience(rawSr: string, options: VerifySasOptions): SasVerdict | undefined {
  const decoded = safeDecode(rawSr);
  let url: URL | undefined;
  try {
    url = decoded === undefined ? undefined : new URL(decoded.includes('://') ? decoded : `http://${decoded}`);
  } catch {
    url = undefined;
  }
  if (url === undefined) {
    return { ok: false, kind: 'unauthorized', message: 'InvalidAudience: The token audience is not a valid URI.' };
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const hosts = options.audienceHosts.map((candidate) => candidate.toLowerCase().replace(/^\[|\]$/g, ''));
  if (!hosts.includes(host)) {
    return { ok: false, kind: 'unauthorized', message: 'InvalidAudience: The token audience does not match this namespace.' };
  }
  const granted = segments(safeDecode(url.pathname) ?? url.pathname);
  const target = segments(options.targetPath);
  const isPrefix = granted.length <= target.length && granted.every((part, index) => part === target[index]);
  if (!isPrefix) {
    return { ok: false, kind: 'forbidden', message: 'InvalidAudience: The token is not valid for this entity.' };
  }
  return undefined;
}
