// Per-hop timing of one tunnel endpoint: how long our own code holds each message and how long a
// connection takes to set up, as integer-µs HDR histograms. Recording only; no sockets, no I/O.
// (Uses metrics/histogram.ts, pure data code, so the records match the run summary's shape.)

import { createLatencyHistogram, recordNs, toRecord } from '../metrics/histogram.js';
import type { HistogramRecord } from '../metrics/result.js';

/** Timing histograms of one endpoint, in the run summary's HistogramRecord shape (integer µs). */
export interface TunnelTiming {
  /**
   * Per message TCP -> relay: from the TCP 'data' event to the start of the WebSocket's write to
   * its TCP socket (framing and masking included; the return of `ws.send` when send only queued).
   * Excludes time queued in the kernel or the event loop, and time after the hand-off: on a busy
   * machine the write wakes the reader, which can take this process's CPU before the write returns.
   */
  toRelayHop: HistogramRecord;
  /** Per message relay -> TCP: from the WebSocket 'message' event to the start of `socket.write`. */
  fromRelayHop: HistogramRecord;
  /**
   * Per connection. Forwarder: local TCP accept -> relayed WebSocket open (the whole rendezvous).
   * Agent: relayed connection offered by hyco-ws -> its WebSocket open and the target connected.
   */
  setup: HistogramRecord;
}

/** Accumulates {@link TunnelTiming} for the lifetime of an endpoint. */
export interface HopTiming {
  /** Pass as the pump's `onHop`. */
  onHop(direction: 'toRelay' | 'fromRelay', hopNs: bigint): void;
  recordSetup(setupNs: bigint): void;
  snapshot(): TunnelTiming;
}

/** Empty timing histograms (1 µs .. 1 h, 3 significant digits), kept for the endpoint's lifetime. */
export function createHopTiming(): HopTiming {
  const toRelay = createLatencyHistogram();
  const fromRelay = createLatencyHistogram();
  const setup = createLatencyHistogram();
  return {
    onHop(direction, hopNs) {
      recordNs(direction === 'toRelay' ? toRelay : fromRelay, hopNs);
    },
    recordSetup(setupNs) {
      recordNs(setup, setupNs);
    },
    snapshot: () => ({ toRelayHop: toRecord(toRelay), fromRelayHop: toRecord(fromRelay), setup: toRecord(setup) }),
  };
}
