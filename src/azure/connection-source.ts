// Where a connection string comes from: a flag value, an environment variable or a file. Takes the
// environment and the file reader as parameters (never reads process.*), and never puts the secret
// into an error message.

import { readInputFile } from '../fs/read-input.js';
import { UsageError } from '../errors.js';

/** Environment variable read when no source is given explicitly (by `run`, `agent` and `tunnel` alike). */
export const DEFAULT_CONNECTION_STRING_ENV = 'HCBENCH_CONNECTION_STRING';
/** The name `run` used to default to; still read when the default is unset, with a deprecation note. */
export const DEPRECATED_CONNECTION_STRING_ENV = 'HCBENCH_RELAY_CONNECTION_STRING';

/**
 * The value of environment variable `name`. When `name` is the default and unset, falls back to the
 * deprecated name and calls `warn` once with a note naming both (never the value).
 */
export function readConnectionStringEnv(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  warn: (note: string) => void = () => {},
): string | undefined {
  const value = env[name];
  if ((value !== undefined && value.trim() !== '') || name !== DEFAULT_CONNECTION_STRING_ENV) return value;
  const old = env[DEPRECATED_CONNECTION_STRING_ENV];
  if (old === undefined || old.trim() === '') return value;
  warn(`${DEPRECATED_CONNECTION_STRING_ENV} is deprecated: set ${DEFAULT_CONNECTION_STRING_ENV} instead (read ${DEPRECATED_CONNECTION_STRING_ENV} this time)`);
  return old;
}

/** At most one of these may be set; with none, {@link DEFAULT_CONNECTION_STRING_ENV} is read. */
export interface ConnectionStringSource {
  /** The connection string itself (visible in `ps` and shell history: prefer env or file). */
  value?: string;
  /** Name of an environment variable that holds it. */
  envVar?: string;
  /** Path of a file that holds it (surrounding whitespace ignored; `#` comment lines skipped). */
  file?: string;
}

/**
 * Resolves the connection string from exactly one source. Throws UsageError (exit 2) naming the
 * source, never the value, when none or several are given, or the source is empty or unreadable.
 */
export async function resolveConnectionString(
  source: ConnectionStringSource,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => Promise<string> = readConnectionStringFile,
  warn: (note: string) => void = () => {},
): Promise<string> {
  const given = (['value', 'envVar', 'file'] as const).filter((key) => source[key] !== undefined);
  if (given.length > 1) {
    throw new UsageError('give the connection string one way only: --connection-string, --connection-string-env or --connection-string-file');
  }
  if (source.value !== undefined) return nonEmpty(source.value, 'the --connection-string value');
  if (source.file !== undefined) {
    let text: string;
    try {
      text = await readFile(source.file);
    } catch (cause) {
      throw new UsageError(`cannot read the connection string file ${source.file}`, { cause: codeOnly(cause) });
    }
    const line = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '' && !l.startsWith('#'));
    return nonEmpty(line ?? '', `the file ${source.file}`);
  }
  const name = source.envVar ?? DEFAULT_CONNECTION_STRING_ENV;
  const value = readConnectionStringEnv(name, env, warn);
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`no connection string: environment variable ${name} is not set`, {
      hint: `set ${name}, or pass --connection-string-file <path> or --connection-string <value>`,
    });
  }
  return value.trim();
}

/** Reads a connection-string file through the shared input checks (regular file, 64 KiB cap). */
async function readConnectionStringFile(path: string): Promise<string> {
  const read = await readInputFile(path, 'connection-string');
  if (!read.ok) throw Object.assign(new Error(read.reason), { code: read.reason });
  return read.bytes.toString('utf8');
}

function nonEmpty(value: string, where: string): string {
  if (value.trim() === '') throw new UsageError(`no connection string in ${where}`);
  return value.trim();
}

/** Keeps only the errno code of a file error, so no file content can leak through `cause`. */
function codeOnly(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'read failed';
}
