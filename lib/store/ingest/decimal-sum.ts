// Exact decimal sums of JSON numbers, so that trace totals summed here for a new trace equal the ones
// PostgreSQL's numeric sum gives when flowtrace_upsert_traces recounts a stored trace from its span rows.

/** A finite number as an exact decimal: value = m × 10^-scale (JS's shortest representation, as JSON wrote it). */
function toDecimal(v: number): { m: bigint; scale: number } {
  const s = String(v);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(s);
  if (!match) return { m: 0n, scale: 0 };
  const [, sign, int, frac = "", exp = "0"] = match;
  let m = BigInt(int + frac);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    m *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { m: sign ? -m : m, scale };
}

/** The exact decimal sum of numbers as text (what PostgreSQL's numeric sum of the same JSON numbers gives), or null when there are none. */
export function decimalSum(values: number[]): string | null {
  if (values.length === 0) return null;
  const ds = values.map(toDecimal);
  const scale = Math.max(...ds.map((d) => d.scale));
  let total = 0n;
  for (const d of ds) total += d.m * 10n ** BigInt(scale - d.scale);
  const neg = total < 0n;
  let digits = (neg ? -total : total).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, "0");
    digits = digits.slice(0, -scale) + "." + digits.slice(-scale);
  }
  return (neg ? "-" : "") + digits;
}
