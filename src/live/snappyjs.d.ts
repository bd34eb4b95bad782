// The slice of snappyjs 0.7's API that src/live uses (the package ships no types). Keep in step
// with its README: compress/uncompress take and return the same kind of buffer.

declare module 'snappyjs' {
  interface Snappy {
    /** Snappy block format (what Prometheus remote write sends), not the framing format. */
    compress(uncompressed: Uint8Array): Uint8Array;
    /** Throws when the encoded length exceeds `maxLength`. */
    uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  }
  const snappy: Snappy;
  export default snappy;
}
