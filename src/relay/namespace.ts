// The emulated Relay namespace: hybrid connections and shared access rules, as plain data.
// Pure types and constructors; it must not open sockets or read files.

import { randomBytes } from 'node:crypto';

/** A right granted by a shared access rule. `Manage` implies `Listen` and `Send`. */
export type AccessRight = 'Listen' | 'Send' | 'Manage';

/** A shared access authorization rule (namespace-wide or on one hybrid connection). */
export interface SharedAccessRule {
  /** Rule name, the token's `skn`. */
  name: string;
  /** Key text as shown in the portal; its UTF-8 bytes are the HMAC key. */
  primaryKey: string;
  /** Optional second key; tokens signed with either key verify. */
  secondaryKey?: string;
  rights: AccessRight[];
}

/** One hybrid connection (the "entity") of the namespace. */
export interface HybridConnectionConfig {
  /** Entity path, e.g. `hc1`; may contain `/`. Matched case-insensitively. */
  name: string;
  /** When false, senders need no token (any token present is ignored). Default true. Listeners always need one. */
  requiresClientAuthorization?: boolean;
  /** Entity-level rules, looked up before the namespace rules. */
  rules?: SharedAccessRule[];
}

/** The whole namespace the emulator serves. */
export interface NamespaceConfig {
  /** Namespace-level rules, valid for every hybrid connection. */
  rules: SharedAccessRule[];
  hybridConnections: HybridConnectionConfig[];
  /**
   * Extra host names accepted in token audiences besides the relay's own host and the request's
   * `Host` header, e.g. `contoso.servicebus.windows.net`. Compared case-insensitively, port ignored.
   */
  audienceHosts?: string[];
}

/** Name of the rule {@link createDefaultNamespace} creates, as in real namespaces. */
export const defaultRuleName = 'RootManageSharedAccessKey';

/** A fresh random key in the portal's format (base64 of 32 random bytes). */
export function createRandomKey(): string {
  return randomBytes(32).toString('base64');
}

/** A namespace with one hc and a random-key 'RootManageSharedAccessKey' rule (Manage). */
export function createDefaultNamespace(hybridConnectionName: string): NamespaceConfig {
  return {
    rules: [{ name: defaultRuleName, primaryKey: createRandomKey(), rights: ['Manage'] }],
    hybridConnections: [{ name: hybridConnectionName }],
  };
}

/** Finds a hybrid connection by name, case-insensitively; undefined when none matches. */
export function findHybridConnection(
  namespace: NamespaceConfig,
  name: string,
): HybridConnectionConfig | undefined {
  const wanted = name.toLowerCase();
  return namespace.hybridConnections.find((hc) => hc.name.toLowerCase() === wanted);
}

/**
 * Resolves the hybrid connection addressed by a path below `/$hc/` (or `/` in HTTP mode): the
 * longest registered name that equals the path or is a whole-segment prefix of it.
 * Returns the entity and the rest of the path (`''` or `/suffix`).
 */
export function resolveHybridConnection(
  namespace: NamespaceConfig,
  entityPath: string,
): { hc: HybridConnectionConfig; suffix: string } | undefined {
  const path = entityPath.replace(/^\/+/, '');
  const lower = path.toLowerCase();
  let best: HybridConnectionConfig | undefined;
  for (const hc of namespace.hybridConnections) {
    const name = hc.name.toLowerCase().replace(/^\/+|\/+$/g, '');
    const matches = lower === name || lower.startsWith(`${name}/`);
    if (matches && (best === undefined || name.length > best.name.length)) best = hc;
  }
  if (best === undefined) return undefined;
  const nameLength = best.name.replace(/^\/+|\/+$/g, '').length;
  return { hc: best, suffix: path.slice(nameLength) };
}
