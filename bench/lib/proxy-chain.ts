// A chain of plain TCP proxy hops in front of a target, as the yardstick for hcbench's relay
// plumbing: haproxy (tcp mode) when installed, else socat, else a minimal Node pipe proxy (one
// process per hop). Every hop is its own process, like forwarder, relay and agent.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DialAddress } from '../../src/workloads/types.js';
import { spawnBenchChild } from './children.js';
import { freePort, isListening, startTool } from './tools.js';

export type ProxyKind = 'haproxy' | 'socat' | 'node-pipe';

export interface ProxyChain {
  kind: ProxyKind;
  /** Where the client dials (the first hop). */
  dialAddress: DialAddress;
  close(): Promise<void>;
}

function haproxyConfig(listenPort: number, next: DialAddress): string {
  return [
    'global',
    '  maxconn 4000',
    '  nbthread 1',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 120s',
    '  timeout server 120s',
    'frontend in',
    `  bind 127.0.0.1:${listenPort}`,
    '  default_backend out',
    'backend out',
    `  server next ${next.host}:${next.port}`,
    '',
  ].join('\n');
}

/** Starts `hops` proxies in series in front of `target`, last hop first; closes all on failure. */
export async function startProxyChain(
  hops: number,
  target: DialAddress,
  findTool: (name: string) => Promise<string | undefined>,
): Promise<ProxyChain> {
  const haproxy = await findTool('haproxy');
  const socat = haproxy === undefined ? await findTool('socat') : undefined;
  const kind: ProxyKind = haproxy !== undefined ? 'haproxy' : socat !== undefined ? 'socat' : 'node-pipe';
  const closers: (() => Promise<void>)[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-chain-'));
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let next = target;
    for (let hop = hops - 1; hop >= 0; hop -= 1) {
      if (kind === 'node-pipe') {
        const child = await spawnBenchChild('pipe-proxy', { target: next });
        closers.push(() => child.close());
        next = { host: '127.0.0.1', port: child.port };
        continue;
      }
      const port = await freePort();
      const ready = () => isListening(port);
      let tool;
      if (kind === 'haproxy') {
        const file = join(dir, `hop${hop}.cfg`);
        await writeFile(file, haproxyConfig(port, next));
        tool = await startTool(haproxy ?? 'haproxy', ['-f', file, '-db'], ready);
      } else {
        tool = await startTool(
          socat ?? 'socat',
          [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,nodelay`, `TCP:${next.host}:${next.port},nodelay`],
          ready,
        );
      }
      closers.push(() => tool.close());
      next = { host: '127.0.0.1', port };
    }
    return { kind, dialAddress: next, close };
  } catch (error) {
    await close();
    throw error;
  }
}
