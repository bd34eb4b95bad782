// Authorizes listen and connect handshakes against the namespace's shared access rules: finds the
// token (header or `sb-hc-token`), verifies it and checks rights. Pure; never logs tokens.

import type { IncomingMessage } from 'node:http';
import { verifySasToken } from '../azure/sas-verify.js';
import type { AccessRight, HybridConnectionConfig, NamespaceConfig } from './namespace.js';
import type { HandshakeRefusal } from './handshake-refusal.js';
import type { RejectReason } from './stats.js';

/** What a handshake wants to do; decides the right it needs. */
export type RelayAction = 'listen' | 'connect';

export type AuthResult =
  | { ok: true; /** Token expiry (Unix s); undefined for anonymous senders. */ expiresAtSec: number | undefined }
  | { ok: false; refusal: HandshakeRefusal; reason: RejectReason };

export interface AuthContext {
  namespace: NamespaceConfig;
  hc: HybridConnectionConfig;
  /** Path being accessed below `$hc/`: the hc name plus any suffix. */
  entityPath: string;
  /** Host names accepted in audiences (relay host, Host header, configured ones). */
  audienceHosts: readonly string[];
  nowSec: number;
}

/** The token of a request: `ServiceBusAuthorization` header first, then the `sb-hc-token` query value. */
export function findToken(request: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = request.headers['servicebusauthorization'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader !== undefined && fromHeader.trim() !== '') return fromHeader;
  const fromQuery = query.get('sb-hc-token');
  return fromQuery === null || fromQuery.trim() === '' ? undefined : fromQuery;
}

/** True when the rights grant `needed`; Manage implies Listen and Send. */
export function grants(rights: readonly string[], needed: AccessRight): boolean {
  return rights.includes(needed) || rights.includes('Manage');
}

/** Verifies `token` for `action` on the context's hc. */
export function authorizeToken(token: string | undefined, action: RelayAction, context: AuthContext): AuthResult {
  if (action === 'connect' && context.hc.requiresClientAuthorization === false) {
    return { ok: true, expiresAtSec: undefined };
  }
  if (token === undefined) {
    return {
      ok: false,
      reason: 'unauthorized',
      refusal: { status: 401, message: 'MissingToken: The authorization header was not found.' },
    };
  }
  const verdict = verifySasToken(token, {
    ruleSets: [context.hc.rules ?? [], context.namespace.rules],
    audienceHosts: context.audienceHosts,
    targetPath: context.entityPath,
    nowSec: context.nowSec,
  });
  if (!verdict.ok) {
    return verdict.kind === 'unauthorized'
      ? { ok: false, reason: 'unauthorized', refusal: { status: 401, message: verdict.message } }
      : { ok: false, reason: 'forbidden', refusal: { status: 403, message: verdict.message } };
  }
  const needed: AccessRight = action === 'listen' ? 'Listen' : 'Send';
  if (!grants(verdict.rights, needed)) {
    return {
      ok: false,
      reason: 'forbidden',
      refusal: {
        status: 403,
        message: `Unauthorized access. '${needed}' claim(s) are required to perform this operation. Resource: '${context.hc.name}'.`,
      },
    };
  }
  return { ok: true, expiresAtSec: verdict.expiresAtSec };
}
