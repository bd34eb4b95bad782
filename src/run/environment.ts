// Describes where a run happened: versions, CPUs, and which process played which role.

import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import type { RunEnvironment } from '../metrics/result.js';
import { HYCO_WS_MASKING_KEY, hycoWsFrameMasking } from '../net/frame-masking.js';

const require = createRequire(import.meta.url);

async function packageVersion(name: string): Promise<string> {
  try {
    const file = require.resolve(`${name}/package.json`);
    return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function ownVersion(): Promise<string> {
  try {
    const file = new URL('../../package.json', import.meta.url);
    return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function describeEnvironment(roles: Record<string, string>, rolePids: Record<string, number>): Promise<RunEnvironment> {
  const cpuList = cpus();
  return {
    hcbenchVersion: await ownVersion(),
    nodeVersion: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuCount: cpuList.length,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    roles,
    rolePids,
    libraries: {
      'hyco-ws': await packageVersion('hyco-ws'),
      ws: await packageVersion('ws'),
      'hdr-histogram-js': await packageVersion('hdr-histogram-js'),
      bufferutil: await packageVersion('bufferutil'),
      // The role processes load the same node_modules: what this process loads, they load.
      [HYCO_WS_MASKING_KEY]: hycoWsFrameMasking(),
    },
  };
}
