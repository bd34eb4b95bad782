// Parses threshold expressions (`relay.transaction.p99 < 25ms`) into a typed form. Pure text
// handling: it knows the metric vocabulary but never reads results (thresholds.ts evaluates).

/** Latency histograms a threshold can name (all recorded in µs). */
export const LATENCY_METRICS = [
  'roundTrip',
  'transaction',
  'connect',
  'firstByte',
  'responseTime',
  'serviceTime',
  'dispatchLag',
  'close',
] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Statistics of a latency histogram. `p999` and `p99.9` are the same. */
export const LATENCY_STATS = ['min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'p999', 'max'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];

/** Fractions (0..1): errors ÷ sent, dropped ÷ scheduled, late ÷ scheduled. */
export const RATE_METRICS = ['errorRate', 'droppedRate', 'lateRate'] as const;
/** Per-second throughputs. */
export const THROUGHPUT_METRICS = ['transactionsPerSec', 'roundTripsPerSec'] as const;
/** Plain counts over the measured window. */
export const COUNT_METRICS = ['errors', 'dropped', 'transactions'] as const;

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** What a threshold measures. Latencies are µs; rates are fractions; throughputs per second. */
export type ThresholdMetric =
  | { kind: 'latency'; metric: LatencyMetric; stat: LatencyStat }
  | { kind: 'rate'; metric: (typeof RATE_METRICS)[number] }
  | { kind: 'throughput'; metric: (typeof THROUGHPUT_METRICS)[number] }
  | { kind: 'count'; metric: (typeof COUNT_METRICS)[number] };

/** A parsed threshold expression. */
export interface ThresholdExpression {
  /** The text as written, trimmed. */
  source: string;
  /**
   * Where it applies: `overhead` (relay − direct, or relay ÷ direct with `isRatio`), `relay`
   * (every non-direct path), `direct` (every direct path), or one path id.
   */
  scope: string;
  metric: ThresholdMetric;
  /** Overhead only: compare relay ÷ direct instead of relay − direct. */
  isRatio: boolean;
  operator: ThresholdOperator;
  /** Bound in the metric's base unit: µs for latencies, a fraction for rates, per second, or a count. */
  limit: number;
}

export type ThresholdParse = { ok: true; expression: ThresholdExpression } | { ok: false; message: string; hint?: string };

const SHAPE = /^\s*([A-Za-z][A-Za-z0-9.-]*)\s*(<=|>=|==|!=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\s*([a-zµ%/]*)\s*$/i;

const TIME_UNITS: Record<string, number> = { us: 1, 'µs': 1, ms: 1_000, s: 1_000_000 };

const HINT = 'write `<path|relay|direct|overhead>.<metric>[.<stat>] <op> <value>[unit]`, e.g. `relay.transaction.p99 < 25ms`';

function includes<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/** Parses one expression. Never throws; a bad expression gives a message in the house form. */
export function parseThreshold(text: string): ThresholdParse {
  const match = SHAPE.exec(text);
  if (match === null) return { ok: false, message: 'is not a threshold expression', hint: HINT };
  const [, name = '', operator = '<', number = '0', unit = ''] = match;
  const parts = name.split('.');
  const scope = parts[0] ?? '';
  let rest = parts.slice(1);
  const isRatio = scope === 'overhead' && rest[rest.length - 1] === 'ratio';
  if (isRatio) rest = rest.slice(0, -1);
  // `p99.9` splits into two parts; join it back.
  if (rest.length === 3 && rest[1] === 'p99' && rest[2] === '9') rest = [rest[0] ?? '', 'p99.9'];
  const metric = parseMetric(rest);
  if (typeof metric === 'string') return { ok: false, message: metric, hint: HINT };
  if (scope === 'overhead' && metric.kind !== 'latency' && !(metric.kind === 'throughput' && isRatio)) {
    return { ok: false, message: `\`overhead\` compares latencies (relay − direct) or, with \`.ratio\`, latencies and throughputs; \`${rest.join('.')}\` is neither` };
  }
  const limit = parseLimit(metric, isRatio, Number(number), unit);
  if (typeof limit === 'string') return { ok: false, message: limit };
  return { ok: true, expression: { source: text.trim(), scope, metric, isRatio, operator: operator as ThresholdOperator, limit } };
}

function parseMetric(parts: readonly string[]): ThresholdMetric | string {
  const [first = '', second, ...extra] = parts;
  if (extra.length > 0 || first === '') return `names no known metric (\`${parts.join('.')}\`)`;
  if (includes(LATENCY_METRICS, first)) {
    if (second === undefined) return `\`${first}\` needs a statistic (${LATENCY_STATS.join(', ')})`;
    if (!includes(LATENCY_STATS, second)) return `\`${second}\` is not a statistic of \`${first}\` (${LATENCY_STATS.join(', ')})`;
    return { kind: 'latency', metric: first, stat: second === 'p999' ? 'p99.9' : second };
  }
  const known = [...LATENCY_METRICS, ...RATE_METRICS, ...THROUGHPUT_METRICS, ...COUNT_METRICS];
  if (!includes(known, first)) return `\`${first}\` is not a metric (${known.join(', ')})`;
  if (second !== undefined) return `\`${first}\` takes no statistic, got \`${second}\``;
  if (includes(RATE_METRICS, first)) return { kind: 'rate', metric: first };
  if (includes(THROUGHPUT_METRICS, first)) return { kind: 'throughput', metric: first };
  return { kind: 'count', metric: first as (typeof COUNT_METRICS)[number] };
}

function parseLimit(metric: ThresholdMetric, isRatio: boolean, value: number, unit: string): number | string {
  if (!Number.isFinite(value)) return 'has a bound that is not a finite number';
  if (isRatio) return unit === '' ? value : `a ratio takes no unit, got \`${unit}\``;
  switch (metric.kind) {
    case 'latency': {
      const factor = TIME_UNITS[unit.toLowerCase()];
      if (factor === undefined) return `a latency bound needs a time unit (us, ms or s), got ${unit === '' ? 'none' : `\`${unit}\``}`;
      return value * factor;
    }
    case 'rate':
      if (unit === '%') return value / 100;
      if (unit !== '') return `a rate is a fraction (0.001) or a percentage (0.1%), got unit \`${unit}\``;
      return value <= 1 ? value : `a rate without % must be a fraction from 0 to 1, got ${value}; write ${value}% for a percentage`;
    case 'throughput':
      return unit === '' || unit === '/s' ? value : `a throughput is per second (\`/s\` or no unit), got \`${unit}\``;
    case 'count':
      return unit === '' ? value : `a count takes no unit, got \`${unit}\``;
  }
}

/** Whether `observed <op> limit` holds. */
export function holds(observed: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

/** Scopes that need no path id: every relay path, every direct path, relay against direct. */
export const GENERIC_SCOPES = ['relay', 'direct', 'overhead'] as const;
