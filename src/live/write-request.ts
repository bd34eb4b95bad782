// Prometheus remote write 1.0 wire format: a protobuf `prometheus.WriteRequest`, snappy (block
// format) compressed. Only the fields hcbench sends are written:
//   WriteRequest { repeated TimeSeries timeseries = 1; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Histogram histograms = 4; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }   (timestamp: epoch ms)
//   Histogram    { uint64 count_int = 1; double sum = 3; sint32 schema = 4; double zero_threshold = 5;
//                  uint64 zero_count_int = 6; repeated BucketSpan positive_spans = 11;
//                  repeated sint64 positive_deltas = 12 (packed); int64 timestamp = 15; }
//   BucketSpan   { sint32 offset = 1; uint32 length = 2; }
// protobufjs's Writer does the varints, lengths and doubles; the schema is six small messages, so
// a .proto file and its reflection would be more code than this.

import protobuf from 'protobufjs/minimal.js';
import snappy from 'snappyjs';
import type { NativeHistogram } from './native-histogram.js';

/**
 * One sample of one series: its labels (`__name__` included) and, at `timestampMs`, its value or
 * (a native histogram series) its histogram.
 */
export type SeriesSample = { labels: Readonly<Record<string, string>>; timestampMs: number } & ({ value: number } | { histogram: NativeHistogram });

/** Headers every remote-write request carries (protocol 1.0). */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
};

const VARINT = 0;
const FIXED64 = 1;
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
    if ('histogram' in sample) writeHistogram(writer, sample.histogram, sample.timestampMs);
    else writer.uint32(tag(2, LENGTH_DELIMITED)).fork().uint32(tag(1, FIXED64)).double(sample.value).uint32(tag(2, VARINT)).int64(sample.timestampMs).ldelim();
    writer.ldelim();
  }
  return writer.finish();
}

/** TimeSeries.histograms (field 4): one native histogram with integer counts and a zero threshold of 0. */
function writeHistogram(writer: protobuf.Writer, h: NativeHistogram, timestampMs: number): void {
  writer.uint32(tag(4, LENGTH_DELIMITED)).fork();
  writer.uint32(tag(1, VARINT)).uint64(h.count).uint32(tag(3, FIXED64)).double(h.sum).uint32(tag(4, VARINT)).sint32(h.schema);
  writer.uint32(tag(5, FIXED64)).double(0).uint32(tag(6, VARINT)).uint64(h.zeroCount);
  for (const span of h.positiveSpans) writer.uint32(tag(11, LENGTH_DELIMITED)).fork().uint32(tag(1, VARINT)).sint32(span.offset).uint32(tag(2, VARINT)).uint32(span.length).ldelim();
  if (h.positiveDeltas.length > 0) {
    writer.uint32(tag(12, LENGTH_DELIMITED)).fork();
    for (const delta of h.positiveDeltas) writer.sint64(delta);
    writer.ldelim();
  }
  writer.uint32(tag(15, VARINT)).int64(timestampMs).ldelim();
}

/** The request body: the encoded WriteRequest, snappy-compressed. */
export function writeRequestBody(samples: readonly SeriesSample[]): Uint8Array {
  return snappy.compress(encodeWriteRequest(samples));
}
