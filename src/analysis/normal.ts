// Quantiles of the normal and Student t distributions, for intervals around fitted values. Pure.

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/**
 * Student t quantile with `df` degrees of freedom: exact for df 1 and 2 (closed forms), else the
 * Cornish–Fisher expansion around the normal (within 1 % for df >= 3). Infinite or non-positive
 * df falls back to the normal quantile.
 */
export function tQuantile(p: number, df: number): number {
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  const z = normalQuantile(p);
  if (!Number.isFinite(df) || df <= 0) return z;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error < 1e-13). */
function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = g[0]!;
  for (let i = 1; i < 9; i++) a += g[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Chi-square CDF: the regularized lower incomplete gamma P(df/2, x/2), by its power series. */
function chiSquareCdf(x: number, df: number): number {
  if (x <= 0) return 0;
  const a = df / 2;
  const y = x / 2;
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 10_000 && term > sum * 1e-15; n++) {
    term *= y / (a + n);
    sum += term;
  }
  return Math.min(1, sum * Math.exp(-y + a * Math.log(y) - logGamma(a)));
}

/** Chi-square quantile with `df` degrees of freedom (bisection on the exact CDF; df up to a few hundred). */
export function chiSquareQuantile(p: number, df: number): number {
  let low = 0;
  let high = Math.max(10, df * 10);
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (chiSquareCdf(mid, df) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * The 95 % range of the factor by which a standard deviation estimated from `n` values may differ
 * from the true one: [√((n−1)/χ²₀.₉₇₅), √((n−1)/χ²₀.₀₂₅)]; e.g. n = 2 gives ×0.45–×31.9.
 */
export function sdUncertainty(n: number): { low: number; high: number } | null {
  if (n < 2) return null;
  const df = n - 1;
  return { low: Math.sqrt(df / chiSquareQuantile(0.975, df)), high: Math.sqrt(df / chiSquareQuantile(0.025, df)) };
}
