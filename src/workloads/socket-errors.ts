// Maps Node socket failures to the ErrorKind counted in results. Pure: no sockets are touched.

import type { ErrorKind } from '../metrics/result.js';

/** The ErrorKind of a Node socket / connect error (by `code`), `other` when unknown. */
export function classifySocketError(error: unknown): ErrorKind {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
    case 'ERR_SOCKET_CONNECTION_TIMEOUT':
      return 'timeout';
    case 'ERR_STREAM_DESTROYED':
    case 'ERR_SOCKET_CLOSED':
    case 'EOF':
      return 'closed';
    default:
      return 'other';
  }
}
