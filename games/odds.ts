// games/odds.ts — exact odds, by counting: BigInt combinatorics, no floating point until a
// figure is printed for people.
//
// A chance is a fraction favourable / total of equally likely draws. "1 in X" is
// total / favourable, printed with two decimals (rounded half up) or as a whole number when
// it is one: the published 6/49 jackpot odds, 1 in 13,983,816, are C(49,6) / 1.

/** n choose k, exactly; 0 outside 0 ≤ k ≤ n. */
export function binomial(n: number, k: number): bigint {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || n < 0 || k > n) return 0n;
  const kk = Math.min(k, n - k);
  let result = 1n;
  for (let i = 1; i <= kk; i++) result = (result * BigInt(n - kk + i)) / BigInt(i);
  return result;
}

export function factorial(n: number): bigint {
  let result = 1n;
  for (let i = 2; i <= n; i++) result *= BigInt(i);
  return result;
}

/** A chance as an exact fraction of equally likely outcomes. */
export interface Chance {
  favourable: bigint;
  total: bigint;
}

/** One row of a game's odds table (GET /api/games). */
export interface OddsRow {
  betType: string;
  tier: string;
  /** What the tier pays, in words (a multiple of the stake, or a share of the pool). */
  prize: string;
  favourable: string;
  total: string;
  /** "1 in X", X = total / favourable. */
  oneIn: string;
}

/** X of "1 in X", exact when whole, else to two decimals rounded half up. */
export function oneIn(chance: Chance): string {
  if (chance.favourable === 0n) return 'never';
  const hundredths = (chance.total * 200n + chance.favourable) / (2n * chance.favourable);
  const whole = hundredths / 100n;
  const frac = hundredths % 100n;
  if (chance.total % chance.favourable === 0n) return (chance.total / chance.favourable).toString();
  return `${whole}.${frac.toString().padStart(2, '0')}`;
}

export function oddsRow(betType: string, tier: string, prize: string, chance: Chance): OddsRow {
  return { betType, tier, prize, favourable: chance.favourable.toString(), total: chance.total.toString(), oneIn: oneIn(chance) };
}

/**
 * The chance that a pick of `picked` numbers from a drum of `size` matches exactly `hit` of
 * `drawn` numbers drawn without replacement (hypergeometric): C(drawn, hit) C(size − drawn,
 * picked − hit) / C(size, picked).
 */
export function hypergeometric(size: number, drawn: number, picked: number, hit: number): Chance {
  return { favourable: binomial(drawn, hit) * binomial(size - drawn, picked - hit), total: binomial(size, picked) };
}

/** Return to player of a fixed paytable as an exact fraction: Σ P(hit) × multiple. */
export function returnToPlayer(chances: readonly { chance: Chance; multiple: number }[]): Chance {
  // Every chance of one table shares its total for the games here; use a common total anyway.
  let total = 1n;
  for (const c of chances) total = lcm(total, c.chance.total);
  let favourable = 0n;
  for (const c of chances) favourable += (c.chance.favourable * (total / c.chance.total)) * BigInt(c.multiple);
  return { favourable, total };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

/** A fraction as a percentage with `decimals` decimals, rounded half up (for people). */
export function percent(c: Chance, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const scaled = (c.favourable * 100n * scale * 2n + c.total) / (2n * c.total);
  const s = scaled.toString().padStart(decimals + 1, '0');
  return decimals === 0 ? s : `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}
