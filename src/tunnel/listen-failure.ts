// Says why an agent could not listen on the relay, in words an operator can act on: DNS, refused,
// TLS, 401, 403, 404. Secret-free: it sees only error codes, first lines and the relay's host.

import { DEFAULT_RELAY_LIMITS } from '../azure/limits.js';
import { RelayRefusalError } from './refusal-reason.js';
import { describeError, handshakeStatus } from './relay-errors.js';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
const TLS_CODES = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The cause of one failed listen attempt, as one line: `<cause>: <code and first line of the error>`. */
export function describeListenFailure(error: unknown, relayHost: string): string {
  const detail = describeError(error);
  const status = handshakeStatus(error);
  if (status === 401) return `401 Unauthorized: the relay rejected the key (wrong SharedAccessKey or SharedAccessKeyName): ${detail}`;
  if (status === 403) return forbidden(error, detail);
  if (status === 404) return `404 Not Found: no hybrid connection of that name on ${relayHost}: ${detail}`;
  if (status !== undefined) return `the relay answered HTTP ${status}: ${detail}`;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    if (DNS_CODES.has(code)) return `DNS: cannot resolve ${relayHost}: ${detail}`;
    if (code === 'ECONNREFUSED') return `connection refused by ${relayHost}: ${detail}`;
    if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `cannot reach ${relayHost}: ${detail}`;
    if (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return `TLS failure with ${relayHost}: ${detail}`;
  }
  return detail === '' ? 'unknown error' : detail;
}

/** A 403 says which of its two causes it is when the relay's reason text is known (refusal-reason.ts). */
function forbidden(error: unknown, detail: string): string {
  const reason = error instanceof RelayRefusalError ? error.reason : '';
  if (/MaximumListenersPerEndpoint|maximum number of listeners/i.test(reason)) {
    const limit = DEFAULT_RELAY_LIMITS.listenersPerHybridConnection;
    return `403 Forbidden: this hybrid connection already has the most listeners the relay allows (Azure: ${limit} per hybrid connection); stop an agent or use another hybrid connection: ${detail}`;
  }
  if (/claim/i.test(reason)) return `403 Forbidden: the key has no Listen right (use a rule with Listen, e.g. a Listen-only connection string): ${detail}`;
  return `403 Forbidden: the key has no Listen right, or the listener quota is reached: ${detail}`;
}
