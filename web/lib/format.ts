// web/lib/format.ts — money (always integer minor units, as the server sends them), times and
// countdowns for display.

export function money(minor: number, currency = 'EUR'): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 100);
}

/** Parses what a person types as an amount ("12", "12.5", "12,50") into minor units, or null. */
export function parseAmountMinor(text: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole, fraction = ''] = cleaned.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

export function dateTime(ms: number | string): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function time(ms: number | string): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "2 h 05 min", "4 min 09 s", "9 s": what is left until a moment. */
export function countdown(msLeft: number): string {
  if (msLeft <= 0) return '0 s';
  const s = Math.floor(msLeft / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}
