// `hcbench run --rehearse`: turns every `relay-azure` path of a plan into a dress rehearsal of
// itself, so a user's real scenario file runs unchanged against the emulator answering as the
// namespace host (and hybrid connection) of the path's connection string. Only the Endpoint host and
// EntityPath are read from that string; its key is never used, printed or kept.

import { ConnectionStringError, parseConnectionString } from '../azure/connection-string.js';
import { readConnectionStringEnv } from '../azure/connection-source.js';
import { UsageError } from '../errors.js';
import { DEFAULT_REHEARSAL_HOST, type Plan } from '../plan/build-plan.js';
import { isNamespaceHost } from '../relay/rehearsal.js';

/** What a path rehearses as: namespace host and hybrid connection name. */
interface RehearsalTarget {
  host: string;
  hybridConnection?: string;
}

/** Reads the namespace host and EntityPath of `envName`'s connection string; the default host when it is unset. */
function rehearsalTarget(pathId: string, envName: string, env: Readonly<Record<string, string | undefined>>, note: (line: string) => void): RehearsalTarget {
  const text = readConnectionStringEnv(envName, env, note);
  if (text === undefined || text.trim() === '') {
    note(`path ${pathId}: ${envName} is not set; rehearsing as ${DEFAULT_REHEARSAL_HOST}`);
    return { host: DEFAULT_REHEARSAL_HOST };
  }
  let host: string;
  let hybridConnection: string;
  try {
    const connection = parseConnectionString(text);
    host = new URL(connection.baseUrl).hostname.toLowerCase();
    hybridConnection = connection.entityPath;
  } catch (error) {
    if (!(error instanceof ConnectionStringError)) throw error;
    throw new UsageError(`--rehearse: path ${pathId}: the connection string in ${envName} cannot be read: ${error.message}`);
  }
  if (!isNamespaceHost(host)) {
    throw new UsageError(`--rehearse: path ${pathId}: the connection string in ${envName} names ${host}, not a namespace host name to rehearse as`, {
      hint: 'a rehearsal answers as a name like <namespace>.servicebus.windows.net; an emulator address needs no rehearsal',
    });
  }
  return { host, hybridConnection };
}

/**
 * The plan with every `relay-azure` path (not already a rehearsal) rehearsing as the namespace of
 * its connection string; its own `resolve` mappings are dropped (the rehearsal maps the name).
 * `note` gets one line per env var that is unset (then the default rehearsal host is used).
 */
export function rehearsePlan(plan: Plan, env: Readonly<Record<string, string | undefined>>, note: (line: string) => void): Plan {
  return {
    ...plan,
    paths: plan.paths.map((path) => {
      if (path.kind !== 'relay-azure' || path.rehearsal !== undefined) return path;
      const { resolve: _dropped, ...rest } = path;
      const target = rehearsalTarget(path.id, path.connectionStringEnv, env, note);
      return { ...rest, rehearsal: target.host, ...(target.hybridConnection === undefined ? {} : { rehearsalHybridConnection: target.hybridConnection }) };
    }),
  };
}
