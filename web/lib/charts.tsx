// web/lib/charts.tsx — the few pictures the clients draw, as plain SVG: no charting library
// for three shapes. Each has a text alternative for screen readers.

/** A line of values over time (bets per second toward the cutoff), newest on the right. */
export function LineChart(props: { points: { t: number; v: number }[]; height?: number; label: string; markAt?: number; unit?: string; windowMs?: number }) {
  const { points, label } = props;
  const width = 600;
  const height = props.height ?? 160;
  const pad = { l: 44, r: 8, t: 10, b: 22 };
  if (points.length === 0) return <p class="muted">{label}: no data yet</p>;
  const lastT = points[points.length - 1].t;
  // A fixed window (the last ten minutes, say) fills from the right as points arrive.
  const t0 = props.windowMs ? Math.min(points[0].t, lastT - props.windowMs) : points[0].t;
  // A mark soon after the last point (the next cutoff, within ten minutes) widens the axis to
  // show it: the run-up to it is what the chart is for.
  const reachesMark = props.markAt !== undefined && props.markAt > lastT && props.markAt - lastT <= 10 * 60_000;
  const t1 = Math.max(reachesMark ? props.markAt! : lastT, t0 + 1);
  const vMax = Math.max(1, ...points.map((p) => p.v));
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v: number) => height - pad.b - (v / vMax) * (height - pad.t - pad.b);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const last = points[points.length - 1];
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={`${label}: now ${last.v.toFixed(0)}${props.unit ?? ''}, peak ${vMax.toFixed(0)}`}>
        <line x1={pad.l} x2={width - pad.r} y1={height - pad.b} y2={height - pad.b} stroke="currentColor" opacity="0.3" />
        <text x={pad.l - 6} y={pad.t + 8} text-anchor="end" font-size="11" fill="currentColor" opacity="0.7">{vMax.toFixed(0)}</text>
        <text x={pad.l - 6} y={height - pad.b} text-anchor="end" font-size="11" fill="currentColor" opacity="0.7">0</text>
        {props.markAt !== undefined && props.markAt >= t0 && props.markAt <= t1 ? (
          <g>
            <line x1={x(props.markAt)} x2={x(props.markAt)} y1={pad.t} y2={height - pad.b} stroke="#e5484d" stroke-dasharray="4 3" />
            <text x={x(props.markAt) - 4} y={pad.t + 10} text-anchor="end" font-size="11" fill="#e5484d">cutoff</text>
          </g>
        ) : null}
        <path d={path} fill="none" stroke="var(--brand)" stroke-width="2.5" stroke-linejoin="round" />
        <text x={x(lastT)} y={height - 6} text-anchor="end" font-size="11" fill="currentColor" opacity="0.7">now</text>
      </svg>
      <figcaption class="muted" style={{ fontSize: '0.85rem' }}>{label}</figcaption>
    </figure>
  );
}

/** Horizontal bars (sales per game). */
export function BarChart(props: { bars: { label: string; value: number; text: string }[]; label: string }) {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  return (
    <figure style={{ margin: 0 }} aria-label={props.label}>
      <div class="stack" style={{ gap: '0.35rem' }}>
        {props.bars.map((b) => (
          <div key={b.label} style={{ display: 'grid', gridTemplateColumns: 'minmax(6rem, 9rem) 1fr auto', gap: '0.5rem', alignItems: 'center' }}>
            <span style={{ fontSize: '0.9rem' }}>{b.label}</span>
            <span style={{ background: 'var(--line)', borderRadius: '4px', height: '0.9rem', overflow: 'hidden' }}>
              <span style={{ display: 'block', height: '100%', width: `${(100 * b.value) / max}%`, background: 'var(--brand)' }} />
            </span>
            <span class="num" style={{ fontSize: '0.9rem' }}>{b.text}</span>
          </div>
        ))}
      </div>
      <figcaption class="muted" style={{ fontSize: '0.85rem', marginTop: '0.4rem' }}>{props.label}</figcaption>
    </figure>
  );
}

/** Number popularity: one cell per number, darker the more lines hold it. */
export function HeatMap(props: { counts: number[]; first: number; columns?: number; label: string; selected?: Set<number>; onPick?: (n: number) => void; disabled?: (n: number) => boolean }) {
  const max = Math.max(1, ...props.counts);
  const columns = props.columns ?? 10;
  return (
    <figure style={{ margin: 0 }}>
      <div role={props.onPick ? 'group' : 'img'} aria-label={props.label} style={{ display: 'grid', gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, gap: '4px' }}>
        {props.counts.map((count, i) => {
          const n = props.first + i;
          const share = count / max;
          const picked = props.selected?.has(n) ?? false;
          const style = {
            background: picked ? 'var(--gold)' : `rgba(39, 65, 201, ${0.08 + 0.85 * share})`,
            color: picked || share < 0.55 ? 'var(--ink)' : '#fff',
            borderRadius: '6px',
            minHeight: '2.3rem',
            padding: 0,
            fontWeight: 700,
            border: picked ? '2px solid var(--ink)' : '1px solid var(--line)',
          };
          const title = `${n}: ${count} line${count === 1 ? '' : 's'}`;
          return props.onPick ? (
            <button key={n} type="button" style={style} aria-pressed={picked} title={title} disabled={props.disabled?.(n) ?? false} onClick={() => props.onPick!(n)}>
              {n}
            </button>
          ) : (
            <span key={n} style={{ ...style, display: 'flex', alignItems: 'center', justifyContent: 'center' }} title={title}>
              {n}
            </span>
          );
        })}
      </div>
      <figcaption class="muted" style={{ fontSize: '0.85rem', marginTop: '0.4rem' }}>{props.label}</figcaption>
    </figure>
  );
}
