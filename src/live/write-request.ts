// Prometheus remote write 1.0 wire format: a protobuf `prometheus.WriteRequest`, snappy (block
// format) compressed. Only the fields hcbench sends are written:
//   WriteRequest { repeated TimeSeries timeseries = 1; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }   (timestamp: epoch ms)
// protobufjs's Writer does the varints, lengths and doubles; the schema is four messages, so a
// .proto file and its reflection would be more code than this.

import protobuf from 'protobufjs/minimal.js';
import snappy from 'snappyjs';

/** One sample of one series: its labels (`__name__` included) and its value at `timestampMs`. */
export interface SeriesSample {
  labels: Readonly<Record<string, string>>;
  value: number;
  timestampMs: number;
}

/** Headers every remote-write request carries (protocol 1.0). */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

const LENGTH_DELIMITED = 2;
const tag = (field: number, wireType: number): number => (field << 3) | wireType;

/**
 * The WriteRequest of `samples`, protobuf-encoded, one series per sample (labels sorted by name,
 * as the protocol requires). Not compressed.
 */
export function encodeWriteRequest(samples: readonly SeriesSample[]): Uint8Array {
  const writer = protobuf.Writer.create();
  for (const sample of samples) {
    writer.uint32(tag(1, LENGTH_DELIMITED)).fork();
    const names = Object.keys(sample.labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      writer.uint32(tag(1, LENGTH_DELIMITED)).fork().uint32(tag(1, LENGTH_DELIMITED)).string(name).uint32(tag(2, LENGTH_DELIMITED)).string(sample.labels[name] ?? '').ldelim();
    }
    writer.uint32(tag(2, LENGTH_DELIMITED)).fork().uint32(tag(1, 1)).double(sample.value).uint32(tag(2, 0)).int64(sample.timestampMs).ldelim();
    writer.ldelim();
  }
  return writer.finish();
}

/** The request body: the encoded WriteRequest, snappy-compressed. */
export function writeRequestBody(samples: readonly SeriesSample[]): Uint8Array {
  return snappy.compress(encodeWriteRequest(samples));
}
