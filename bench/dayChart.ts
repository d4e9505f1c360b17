// bench/dayChart.ts — bench:day's picture: offered and achieved durable bets per second and
// the p99 acknowledgement latency over the run, second by second, with the steps and the
// cutoff marked. A plain SVG (no library): it opens in any browser and renders on GitHub.

export interface ChartSecond {
  offered: number;
  achieved: number;
  p99Ms: number;
}

export interface ChartMark {
  second: number;
  label: string;
}

const W = 960;
const H = 420;
const PAD = { left: 70, right: 70, top: 40, bottom: 50 };

/** A round number at or above `n` for an axis' top (1, 2, 5 times a power of ten). */
function axisTop(n: number): number {
  if (!(n > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n)!;
}

function path(points: [number, number][]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function dayChartSvg(title: string, seconds: ChartSecond[], marks: ChartMark[]): string {
  const n = Math.max(1, seconds.length);
  const rateTop = axisTop(Math.max(...seconds.map((s) => Math.max(s.offered, s.achieved)), 1));
  const msTop = axisTop(Math.max(...seconds.map((s) => (Number.isFinite(s.p99Ms) ? s.p99Ms : 0)), 1));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (plotW * i) / n;
  const yRate = (v: number) => PAD.top + plotH * (1 - v / rateTop);
  const yMs = (v: number) => PAD.top + plotH * (1 - Math.min(v, msTop) / msTop);
  const offered = path(seconds.map((s, i) => [x(i + 0.5), yRate(s.offered)]));
  const achieved = path(seconds.map((s, i) => [x(i + 0.5), yRate(s.achieved)]));
  const p99 = path(seconds.flatMap((s, i): [number, number][] => (Number.isFinite(s.p99Ms) ? [[x(i + 0.5), yMs(s.p99Ms)]] : [])));
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = PAD.top + plotH * (1 - f);
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>
<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${Math.round(rateTop * f)}</text>
<text x="${W - PAD.right + 6}" y="${y + 4}">${Math.round(msTop * f)}</text>`;
  });
  const markLines = marks.map(
    (m) => `<line x1="${x(m.second)}" x2="${x(m.second)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#999" stroke-dasharray="4 3"/>
<text x="${x(m.second) + 3}" y="${PAD.top + 12}" font-size="11">${escape(m.label)}</text>`,
  );
  const ticks = Array.from({ length: Math.floor(n / 10) + 1 }, (_, k) => `<text x="${x(k * 10)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${k * 10}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>
${grid.join('\n')}
${markLines.join('\n')}
${ticks.join('\n')}
<text x="${W / 2}" y="${H - 12}" text-anchor="middle">seconds into the schedule</text>
<text x="16" y="${PAD.top + plotH / 2}" transform="rotate(-90 16 ${PAD.top + plotH / 2})" text-anchor="middle">bets per second</text>
<text x="${W - 14}" y="${PAD.top + plotH / 2}" transform="rotate(90 ${W - 14} ${PAD.top + plotH / 2})" text-anchor="middle">p99 acknowledgement (ms)</text>
<path d="${offered}" fill="none" stroke="#9aa5b1" stroke-width="2" stroke-dasharray="6 4"/>
<path d="${achieved}" fill="none" stroke="#1f6feb" stroke-width="2"/>
<path d="${p99}" fill="none" stroke="#d1242f" stroke-width="1.5"/>
<g transform="translate(${PAD.left + 10},${PAD.top + 24})">
<line x1="0" x2="24" y1="0" y2="0" stroke="#9aa5b1" stroke-width="2" stroke-dasharray="6 4"/><text x="30" y="4">offered bets/s</text>
<line x1="0" x2="24" y1="18" y2="18" stroke="#1f6feb" stroke-width="2"/><text x="30" y="22">durable bets/s (acknowledged)</text>
<line x1="0" x2="24" y1="36" y2="36" stroke="#d1242f" stroke-width="1.5"/><text x="30" y="40">p99 acknowledgement, ms (right axis)</text>
</g>
</svg>
`;
}
