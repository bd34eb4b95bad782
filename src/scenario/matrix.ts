// Matrix sweeps: the cartesian product of parameter lists, and the label that names a variant in
// step ids. Pure.

export type MatrixValue = number | string | boolean;

/** All combinations, in key order (the last key varies fastest); one empty variant without a matrix. */
export function expandMatrix(matrix: Record<string, readonly MatrixValue[]> | undefined): Record<string, MatrixValue>[] {
  let variants: Record<string, MatrixValue>[] = [{}];
  for (const [key, values] of Object.entries(matrix ?? {})) {
    variants = variants.flatMap((variant) => values.map((value) => ({ ...variant, [key]: value })));
  }
  return variants;
}

/** `[roundTripsPerTransaction=5,requestBytes=64]`, or '' for the empty variant. */
export function variantLabel(variant: Record<string, unknown>): string {
  const entries = Object.entries(variant);
  return entries.length === 0 ? '' : `[${entries.map(([k, v]) => `${k}=${String(v)}`).join(',')}]`;
}
