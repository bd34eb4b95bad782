// Classification of relay-side WebSocket errors (refused handshakes, closes, unreachable relay)
// into the tunnel's error kinds, and secret-free one-line descriptions for logs.

import type { TunnelErrorKind } from './types.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The HTTP status of a refused WebSocket handshake (ws 1.1.5 and ws 8 message formats), if any. */
export function handshakeStatus(error: unknown): number | undefined {
  const text = error instanceof Error ? error.message : String(error);
  const match = /unexpected server response:?\s*\(?(\d{3})\)?/i.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Classifies an error a relayed WebSocket emitted, before or after it opened. */
export function classifyRelayError(error: unknown): TunnelErrorKind {
  const status = handshakeStatus(error);
  if (status === 404) return 'relay-404';
  if (status === 401) return 'relay-401';
  if (status === 403) return 'relay-403';
  if (status !== undefined) return 'relay-other';
  if (typeof error === 'object' && error !== null && typeof (error as { closeCode?: unknown }).closeCode === 'number') return 'relay-closed';
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'relay-unreachable';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'relay-closed';
  if (typeof error === 'string') return 'relay-other';
  return 'other';
}

/** A short, secret-free description of an error for logs: its code or first line. */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    const message = (error as { message?: unknown }).message;
    const text = typeof message === 'string' ? message.split('\n')[0] ?? '' : '';
    return typeof code === 'string' ? `${code} ${text}`.trim() : text;
  }
  return String(error);
}
