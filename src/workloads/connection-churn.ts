// Driver of the connection-churn workload (TCP_CRR-like): every transaction connects, does one
// request/response exchange with the built-in target's protocol, and closes gracefully. It is the
// request/response engine in perTransaction mode with k = 1, plus a port-exhaustion check.

import { readFile } from 'node:fs/promises';
import { runRequestResponse } from './tcp-request-response.js';
import type { ConnectionChurnParams, Workload, WorkloadOutcome, WorkloadRunOptions } from './types.js';

/** Seconds a closed TCP connection's local port stays in TIME_WAIT on Linux. */
const TIME_WAIT_SEC = 60;

/** The connection-churn workload. */
export const connectionChurn: Workload<ConnectionChurnParams> = {
  kind: 'connection-churn',
  run: runConnectionChurn,
};

async function runConnectionChurn(options: WorkloadRunOptions<ConnectionChurnParams>): Promise<WorkloadOutcome> {
  const p = options.params;
  const { outcome, addressNotAvailable } = await runRequestResponse(options, {
    kind: 'tcp-request-response',
    connections: p.connections,
    roundTripsPerTransaction: 1,
    requestBytes: p.requestBytes ?? 64,
    responseBytes: p.responseBytes ?? 64,
    connectionMode: 'perTransaction',
    ...(p.load === undefined ? {} : { load: p.load }),
    ...(p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs }),
    ...(p.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: p.connectTimeoutMs }),
    ...(p.retry === undefined ? {} : { retry: p.retry }),
  });
  const notes = portExhaustionNotes(outcome.metrics.counters.connectionsOpened, outcome.metrics.durationMs, addressNotAvailable, await localPortCount());
  if (notes.length > 0) outcome.metrics.notes = [...(outcome.metrics.notes ?? []), ...notes];
  return outcome;
}

/**
 * Remarks on local port exhaustion: failures with EADDRNOTAVAIL, or a connection rate whose
 * TIME_WAIT ports (60 s each) would use more than half of the ephemeral port range.
 */
export function portExhaustionNotes(connectionsOpened: number, durationMs: number, addressNotAvailable: number, localPorts: number | undefined): string[] {
  const notes: string[] = [];
  if (addressNotAvailable > 0) {
    notes.push(`${addressNotAvailable} connects failed with EADDRNOTAVAIL: local ephemeral ports exhausted (TIME_WAIT); lower the rate or widen net.ipv4.ip_local_port_range`);
  }
  const ratePerSec = durationMs > 0 ? (connectionsOpened * 1000) / durationMs : 0;
  if (localPorts !== undefined && ratePerSec * TIME_WAIT_SEC > localPorts / 2) {
    const sustainable = Math.floor(localPorts / TIME_WAIT_SEC);
    notes.push(
      `connection rate ${Math.round(ratePerSec)}/s would hold ${Math.round(ratePerSec * TIME_WAIT_SEC)} ports in TIME_WAIT for ${TIME_WAIT_SEC} s, more than half of the ${localPorts} local ports; a sustained run above about ${sustainable}/s runs out of ports`,
    );
  }
  return notes;
}

/** Size of Linux's ephemeral port range, or undefined where it cannot be read. */
async function localPortCount(): Promise<number | undefined> {
  try {
    const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const [low, high] = text.trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined && high >= low ? high - low + 1 : undefined;
  } catch {
    return undefined;
  }
}
