// web/player/pages/Slip.tsx — the bet slip: lines picked by hand (a grid per drum, usable by
// keyboard: each number is a button) or a quick pick the server draws, the bet type and
// stake where the game has several, advance play over the next draws, and the total before
// anything is sent. One press of "Place bet" is one bet with one requestId (web/player/sales.ts).
import { useState } from 'preact/hooks';
import { money } from '../../lib/format.ts';
import { HeatMap } from '../../lib/charts.tsx';
import type { SalesView } from '../sales.ts';
import type { BetMessage } from '../sales.ts';
import type { Drum, Game } from '../../lib/catalogue.ts';

/** How many numbers a line takes from each drum: keno lets the player choose 1..10. */
const KENO_SPOTS_MAX = 10;

interface Props {
  game: Game;
  view: SalesView | null;
  open: boolean;
  onPlace: (bet: Omit<BetMessage, 'requestId'>) => string;
}

export function Slip({ game, view, open, onPlace }: Props) {
  const [betTypeId, setBetTypeId] = useState(game.betTypes[0]?.id ?? 'standard');
  const betType = game.betTypes.find((b) => b.id === betTypeId) ?? game.betTypes[0];
  const [stake, setStake] = useState(betType.stakesMinor[0]);
  const [picks, setPicks] = useState<number[][]>(game.drums.map(() => []));
  const [lines, setLines] = useState<number[][]>([]);
  const [quickPick, setQuickPick] = useState(1);
  const [draws, setDraws] = useState(1);
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const raffle = game.drums.length === 0;
  const keno = game.gameId === 'keno';
  const linesMax = betType.linesPerTicketMax;
  const stakeMinor = betType.stakesMinor.includes(stake) ? stake : betType.stakesMinor[0];

  const wanted = (drum: Drum) => (keno ? KENO_SPOTS_MAX : drum.count);
  const complete = raffle || game.drums.every((d, i) => (keno ? picks[i].length >= 1 : picks[i].length === d.count));
  const toggle = (drumIndex: number, n: number) => {
    setProblem(null);
    setPicks((old) =>
      old.map((p, i) => {
        if (i !== drumIndex) return p;
        if (p.includes(n)) return p.filter((x) => x !== n);
        const drum = game.drums[i];
        // A one-number drum (pick-n digits, the bonus ball) takes the new pick in place of the old.
        if (drum.count === 1 && !keno) return [n];
        return p.length >= wanted(drum) ? p : [...p, n];
      }),
    );
  };
  // A drum of several numbers is a set (shown sorted); one-number drums keep their place.
  const lineOf = (): number[] => (raffle ? [] : game.drums.flatMap((d, i) => (d.count > 1 || keno ? [...picks[i]].sort((a, b) => a - b) : picks[i])));
  const addLine = () => {
    if (!complete) return setProblem(raffle ? null : `Pick ${game.drums.map((d) => (keno ? `1 to ${KENO_SPOTS_MAX}` : d.count)).join(' + ')} number(s) first.`);
    if (lines.length >= linesMax) return setProblem(`At most ${linesMax} lines on one ticket.`);
    const line = lineOf();
    const combination = line.join('');
    if (view?.soldOut.includes(combination)) return setProblem(`${line.join('-')} is sold out in this draw: pick other numbers.`);
    setLines([...lines, line]);
    setPicks(game.drums.map(() => []));
  };
  const lineCount = raffle ? 1 : lines.length > 0 ? lines.length : quickPick;
  const totalMinor = lineCount * stakeMinor * draws;
  const place = (mode: 'lines' | 'quick') => {
    setProblem(null);
    const common = { ...(game.betTypes.length > 1 ? { betType: betType.id } : {}), ...(betType.stakesMinor.length > 1 ? { stake: stakeMinor } : {}), ...(draws > 1 ? { draws } : {}) };
    const bet = raffle ? { lines: [[]], ...common } : mode === 'lines' ? { lines, ...common } : { quickPick, ...common };
    try {
      const requestId = onPlace(bet);
      setSent(requestId);
      if (mode === 'lines') setLines([]);
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  return (
    <section class="card stack" aria-labelledby="slip-title">
      <h2 id="slip-title">Bet slip</h2>
      {game.betTypes.length > 1 ? (
        <label>
          Bet type
          <select value={betType.id} onChange={(e) => setBetTypeId(e.currentTarget.value)} disabled={!open}>
            {game.betTypes.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <p class="muted" style={{ fontSize: '0.9rem' }}>
        {betType.description}
      </p>
      {betType.stakesMinor.length > 1 ? (
        <label>
          Stake per line
          <select value={String(stakeMinor)} onChange={(e) => setStake(Number(e.currentTarget.value))} disabled={!open}>
            {betType.stakesMinor.map((s) => (
              <option key={s} value={String(s)}>
                {money(s, game.currency)}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p>
          {money(stakeMinor, game.currency)} {raffle ? 'an entry' : 'a line'}
        </p>
      )}
      {raffle ? (
        <p>One numbered entry per ticket. The draw picks the winning entries among all sold; with fewer entries than prizes, every entry wins.</p>
      ) : (
        <fieldset class="stack" disabled={!open} style={{ border: 0, padding: 0, margin: 0 }}>
          <legend class="sr-only">Your numbers</legend>
          {game.drums.map((drum, i) => (
            <DrumPicker key={drum.name} drum={drum} picked={picks[i]} max={wanted(drum)} keno={keno} counts={i === 0 ? view?.numberCounts : undefined} onPick={(n) => toggle(i, n)} multi={game.drums.length > 1} />
          ))}
          <div class="row">
            <button type="button" class="secondary" onClick={addLine} disabled={!open}>
              Add line
            </button>
            <button type="button" class="link" onClick={() => setPicks(game.drums.map(() => []))}>
              Clear picks
            </button>
          </div>
          {lines.length > 0 ? (
            <ol class="stack" style={{ margin: 0, paddingLeft: '1.2rem', gap: '0.25rem' }} aria-label="Lines on this ticket" data-testid="slip-lines">
              {lines.map((line, i) => (
                <li key={i}>
                  <span class="mono">{line.join(' - ')}</span>{' '}
                  <button type="button" class="link" aria-label={`Remove line ${i + 1}`} onClick={() => setLines(lines.filter((_, j) => j !== i))}>
                    remove
                  </button>
                </li>
              ))}
            </ol>
          ) : null}
        </fieldset>
      )}
      {game.advanceDrawsMax > 1 ? (
        <label>
          Play for
          <select value={String(draws)} onChange={(e) => setDraws(Number(e.currentTarget.value))} disabled={!open}>
            {Array.from({ length: game.advanceDrawsMax }, (_, i) => i + 1).map((n) => (
              <option key={n} value={String(n)}>
                {n === 1 ? 'this draw' : `this draw and the next ${n - 1}`}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <p class="num" data-testid="slip-total">
        Total: <strong>{money(totalMinor, game.currency)}</strong>{' '}
        <span class="muted">
          ({lineCount} × {money(stakeMinor, game.currency)}
          {draws > 1 ? ` × ${draws} draws` : ''})
        </span>
      </p>
      {problem ? (
        <div class="notice error" role="alert">
          {problem}
        </div>
      ) : null}
      {!open ? <div class="notice warn">Sales for this draw have closed.</div> : null}
      <div class="row">
        {raffle || lines.length > 0 ? (
          <button type="button" onClick={() => place('lines')} disabled={!open}>
            Place bet
          </button>
        ) : null}
        {!raffle ? (
          <span class="row">
            <label style={{ flexDirection: 'row', alignItems: 'center', gap: '0.4rem' }}>
              Quick pick
              <select value={String(quickPick)} onChange={(e) => setQuickPick(Number(e.currentTarget.value))} disabled={!open} aria-label="Quick pick lines">
                {Array.from({ length: linesMax }, (_, i) => i + 1).map((n) => (
                  <option key={n} value={String(n)}>
                    {n} line{n === 1 ? '' : 's'}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" class={lines.length > 0 ? 'secondary' : ''} onClick={() => place('quick')} disabled={!open}>
              Place quick pick
            </button>
          </span>
        ) : null}
      </div>
      {sent ? (
        <p class="muted" role="status" style={{ fontSize: '0.85rem' }}>
          Sent as request <span class="mono">{sent}</span>.
        </p>
      ) : null}
    </section>
  );
}

function DrumPicker(props: { drum: Drum; picked: number[]; max: number; keno: boolean; counts?: number[]; onPick: (n: number) => void; multi: boolean }) {
  const { drum, picked } = props;
  const size = drum.max - drum.min + 1;
  const label = props.keno ? `Pick 1 to ${props.max} numbers of ${drum.min}–${drum.max}` : drum.count === 1 ? `${props.multi ? `${drumTitle(drum.name)}: ` : ''}pick one of ${drum.min}–${drum.max}` : `Pick ${drum.count} numbers of ${drum.min}–${drum.max}`;
  const counts = props.counts && props.counts.length === size ? props.counts : new Array(size).fill(0);
  return (
    <div>
      <div style={{ fontWeight: 600, marginBottom: '0.3rem' }}>
        {label} <span class="muted">({picked.length}/{props.max})</span>
      </div>
      <HeatMap counts={counts} first={drum.min} columns={size <= 10 ? size : 10} label={props.counts ? 'Darker numbers have been picked more often in this draw' : ''} selected={new Set(picked)} onPick={props.onPick} />
    </div>
  );
}

function drumTitle(name: string): string {
  if (/^d\d$/.test(name)) return `Digit ${name.slice(1)}`;
  return name.charAt(0).toUpperCase() + name.slice(1);
}
