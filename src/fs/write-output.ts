// Creates output folders and writes output files, turning file-system refusals into one clear
// OutputWriteError (exit 11). Replaces `mkdir({ recursive: true })`, which loops forever where
// mkdir answers ENOENT for a parent that exists (/proc): each missing level is created once.

import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputWriteError } from '../errors.js';

/** A short reason for an errno, lower case, never file content. */
export function writeFailureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENOENT':
      return 'the location does not exist and cannot be created there';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'is a folder';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return code === undefined ? String((error as Error | undefined)?.message ?? error) : `cannot be written (${code})`;
  }
}

async function isDirectory(path: string): Promise<boolean | undefined> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Creates `folder` and its missing parents, one level at a time (at most one mkdir per level, so
 * it always ends). Throws OutputWriteError naming the folder and the reason.
 */
export async function makeDirectory(folder: string): Promise<void> {
  const target = resolve(folder);
  try {
    const missing: string[] = [];
    let current = target;
    for (;;) {
      const found = await isDirectory(current);
      if (found === true) break;
      if (found === false) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
    for (const level of missing.reverse()) {
      try {
        await mkdir(level);
      } catch (error) {
        // Someone else created it meanwhile: fine if it is a folder.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || (await isDirectory(level)) !== true) throw error;
      }
    }
  } catch (cause) {
    throw new OutputWriteError(`cannot create the folder ${target}: ${writeFailureReason(cause)}`, { cause: (cause as NodeJS.ErrnoException).code ?? 'error' });
  }
}

/**
 * Writes `text` to `folder/name` atomically (temporary file + rename), so a reader never sees a
 * half-written file. Throws OutputWriteError naming the file and the reason; leaves no temp file.
 */
export async function writeFileAtomic(folder: string, name: string, text: string): Promise<string> {
  const file = join(folder, name);
  const temp = join(folder, `.${name}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => {});
    throw new OutputWriteError(`cannot write ${file}: ${writeFailureReason(cause)}`, { cause: (cause as NodeJS.ErrnoException).code ?? 'error' });
  }
  return file;
}

/** Creates the parent folder of `path` (resolved against `cwd`) and writes `text` there atomically. */
export async function writeOutputFile(cwd: string, path: string, text: string): Promise<string> {
  const out = resolve(cwd, path);
  await makeDirectory(dirname(out));
  return writeFileAtomic(dirname(out), basename(out), text);
}
