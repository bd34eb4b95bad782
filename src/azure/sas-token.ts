// Shared Access Signature tokens as Azure Relay uses them: build, parse and sign.
// Pure functions over strings and an injected clock; no network, no logging (tokens are secrets).

import { createHmac } from 'node:crypto';

/** The four fields of a SAS token, exactly as they appear in the token text (not decoded). */
export interface SasTokenFields {
  /** Resource URI, URL-encoded as in the token. The signature is over this raw text. */
  sr: string;
  /** Base64 HMAC-SHA256 signature, URL-encoded as in the token. */
  sig: string;
  /** Expiry, Unix time in seconds. */
  se: string;
  /** Name of the shared access rule (key name). */
  skn: string;
}

export interface CreateSasTokenOptions {
  /** The resource the token is for, e.g. `http://ns.servicebus.windows.net/hc`. Encoded by this function. */
  resourceUri: string;
  keyName: string;
  /** The key text as shown in the portal; its UTF-8 bytes are the HMAC key (not its base64-decoded bytes). */
  key: string;
  /** Expiry as Unix time in seconds. */
  expiresAtSec: number;
}

const PREFIX = 'SharedAccessSignature ';

/** `base64(HMAC-SHA256(utf8(key), rawSr + "\n" + se))`, the signature over the raw `sr` text. */
export function signSas(rawSr: string, se: string, key: string): string {
  return createHmac('sha256', key).update(`${rawSr}\n${se}`, 'utf8').digest('base64');
}

/** Builds `SharedAccessSignature sr=..&sig=..&se=..&skn=..` exactly as the Azure SDKs do. */
export function createSasToken(options: CreateSasTokenOptions): string {
  const sr = encodeURIComponent(options.resourceUri);
  const se = String(Math.floor(options.expiresAtSec));
  const sig = encodeURIComponent(signSas(sr, se, options.key));
  return `${PREFIX}sr=${sr}&sig=${sig}&se=${se}&skn=${encodeURIComponent(options.keyName)}`;
}

/**
 * Splits a token into its fields, keeping `sr` undecoded so it can be re-signed byte for byte.
 * Accepts the token with or without the `SharedAccessSignature ` prefix (case-insensitive).
 * Returns undefined when a required field is missing.
 */
export function parseSasToken(token: string): SasTokenFields | undefined {
  let text = token.trim();
  if (text.toLowerCase().startsWith(PREFIX.toLowerCase())) text = text.slice(PREFIX.length);
  const fields = new Map<string, string>();
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) return undefined;
  return { sr, sig, se, skn };
}

/** Replaces the signature in any text that may carry a token, so it can be logged or stored. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(sig=)[^&\s"';]+/gi, '$1<redacted>')
    .replace(/(SharedAccessKey=)[^;\s"']+/gi, '$1<redacted>')
    .replace(/(sb-hc-token=)[^&\s"']+/gi, '$1<redacted>');
}
