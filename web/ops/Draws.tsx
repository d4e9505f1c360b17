// web/ops/Draws.tsx — one game's draws and one draw's record: status and times, the operator's
// and auditors' commitments, the beacon, the seal, the numbers, the settlement's tiers, links
// to the signed proof and the live stage; and for a halted draw the way out: one admin asks to
// resume or void it with a reason, another approves (app/interventionsApi.ts).
import { useEffect, useState } from 'preact/hooks';
import { drawRecord, drawsOf, games as loadGames, type DrawRecord, type Game, type Intervention } from '../lib/catalogue.ts';
import { dateTime, money } from '../lib/format.ts';
import { ErrorNotice, Fact, Notice, useAction } from '../lib/ui.tsx';
import { operator, opApi } from './session.ts';

export function Draws() {
  const [games, setGames] = useState<Game[]>([]);
  const [gameId, setGameId] = useState('lotto649');
  const [draws, setDraws] = useState<DrawRecord[]>([]);
  const [drawId, setDrawId] = useState<string | null>(null);
  const load = useAction(async () => {
    const all = await loadGames();
    setGames(all);
    const list = await drawsOf(gameId);
    setDraws(list);
    if (!drawId || !list.some((d) => d.drawId === drawId)) setDrawId(list.find((d) => d.status !== 'scheduled')?.drawId ?? list[0]?.drawId ?? null);
  });
  useEffect(() => void load.run(), [gameId]);
  const currency = games.find((g) => g.gameId === gameId)?.currency ?? 'EUR';
  return (
    <div class="stack">
      <h1>Draws</h1>
      <div class="row">
        <label>
          Game
          <select value={gameId} onChange={(e) => setGameId(e.currentTarget.value)}>
            {games.map((g) => (
              <option key={g.gameId} value={g.gameId}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Draw
          <select value={drawId ?? ''} onChange={(e) => setDrawId(e.currentTarget.value)}>
            {draws.map((d) => (
              <option key={d.drawId} value={d.drawId}>
                {d.drawId} ({d.status})
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={load.error} />
      {drawId ? <DrawCard key={drawId} drawId={drawId} currency={currency} /> : null}
    </div>
  );
}

function DrawCard({ drawId, currency }: { drawId: string; currency: string }) {
  const [draw, setDraw] = useState<DrawRecord | null>(null);
  const load = useAction(async () => setDraw(await drawRecord(drawId)));
  useEffect(() => void load.run(), [drawId]);
  if (!draw) return <ErrorNotice error={load.error} />;
  const id = encodeURIComponent(draw.drawId);
  return (
    <section class="card stack" aria-labelledby="draw-title" data-testid="draw-record">
      <h2 id="draw-title">
        <span class="mono" style={{ fontSize: "1.1rem" }}>{draw.drawId}</span> <span class={`pill ${draw.status === 'halted' || draw.status === 'voided' ? 'bad' : draw.status === 'settled' ? 'good' : 'warn'}`}>{draw.status}</span>
      </h2>
      <div class="row">
        <a class="button secondary" href={`/draw/${id}`}>
          Live stage
        </a>
        {draw.numbers ? (
          <a class="button secondary" href={`/api/draws/${id}/proof`} download={`proof-${draw.drawId}.json`}>
            Signed proof
          </a>
        ) : null}
        <button class="link" onClick={() => void load.run()}>
          Refresh
        </button>
      </div>
      <dl class="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(200px, 1fr))', gap: '0.4rem 1rem', margin: 0 }}>
        <Fact term="Opens" value={dateTime(draw.openAt)} />
        <Fact term="Cutoff" value={dateTime(draw.cutoffAt)} />
        <Fact term="Draw" value={dateTime(draw.drawAt)} />
        <Fact term="Operator's commitment" value={draw.commitments.operator} mono />
        <Fact term="Auditors" value={draw.commitments.auditors.length ? draw.commitments.auditors.map((a) => `${a.name}: ${a.commitment}`).join('\n') : 'none'} mono />
        <Fact term="Beacon" value={draw.commitments.beacon ? JSON.stringify(draw.commitments.beacon) : 'none'} mono />
        <Fact term="Seal" value={draw.seal ? `${draw.seal.ticketCount.toLocaleString()} tickets, ${money(draw.seal.stakeTotalMinor, currency)}, root ${draw.seal.ticketRoot} (${dateTime(draw.seal.sealedAt)})` : 'not sealed yet'} mono={!!draw.seal} />
        <Fact term="Numbers" value={draw.numbers ? draw.numbers.map((drum) => drum.join(' ')).join(' | ') : 'not drawn yet'} />
      </dl>
      {draw.settlement ? (
        <div class="table-wrap">
          <table class="ops-table">
            <caption style={{ textAlign: 'left', fontWeight: 700 }}>Settled {dateTime(draw.settlement.settledAt)}: {money(draw.settlement.prizeTotalMinor, currency)} in prizes</caption>
            <thead>
              <tr>
                <th>Tier</th>
                <th class="num">Winning lines</th>
                <th class="num">Per line</th>
                <th class="num">Paid</th>
              </tr>
            </thead>
            <tbody>
              {draw.settlement.tiers.map((t) => (
                <tr key={t.name}>
                  <td>{t.name}</td>
                  <td class="num">{t.winningLines.toLocaleString()}</td>
                  <td class="num">{money(t.perLineMinor, currency)}</td>
                  <td class="num">{money(t.paidMinor, currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {draw.void ? <Notice kind="warn">Voided {dateTime(draw.void.voidedAt)}; {draw.void.refundsDoneAt ? `every ticket refunded ${dateTime(draw.void.refundsDoneAt)}` : 'refunds under way'}.</Notice> : null}
      {draw.status === 'halted' || draw.interventions.length > 0 ? <Halted draw={draw} onChanged={() => void load.run()} /> : null}
    </section>
  );
}


function Halted({ draw, onChanged }: { draw: DrawRecord; onChanged: () => void }) {
  const [reason, setReason] = useState('');
  const admin = operator.value?.role === 'admin';
  const base = `/api/operator/draws/${encodeURIComponent(draw.drawId)}/interventions`;
  const ask = useAction(async (action: 'resume' | 'void') => {
    await opApi('POST', base, { action, reason });
    setReason('');
    onChanged();
  });
  const act = useAction(async (intervention: Intervention, verb: 'approve' | 'withdraw') => {
    await opApi('POST', `${base}/${intervention.interventionId}/${verb}`);
    onChanged();
  });
  const pending = draw.interventions.find((i) => i.status === 'pending');
  return (
    <section class="notice warn stack" aria-labelledby="halted-title" data-testid="halted">
      <h3 id="halted-title">{draw.status === 'halted' ? `Halted ${draw.haltedAt ? dateTime(draw.haltedAt) : ''}: ${draw.haltedReason ?? ''}` : 'Interventions'}</h3>
      <ul>
        {draw.interventions.map((i) => (
          <li key={i.interventionId}>
            <strong>{i.action}</strong> asked by {i.requestedBy} ({dateTime(i.requestedAt)}): “{i.reason}” — {i.status}
            {i.approvedBy ? `, approved by ${i.approvedBy}` : ''}
          </li>
        ))}
      </ul>
      {admin && pending ? (
        <div class="ops-actions">
          <button onClick={() => void act.run(pending, 'approve')} disabled={act.busy || pending.requestedBy === operator.value?.name}>
            Approve {pending.action}
          </button>
          <button class="secondary" onClick={() => void act.run(pending, 'withdraw')} disabled={act.busy}>
            Withdraw the request
          </button>
          {pending.requestedBy === operator.value?.name ? <span class="muted">Another admin must approve your request.</span> : null}
        </div>
      ) : null}
      {admin && draw.status === 'halted' && !pending ? (
        <div class="ops-actions">
          <input aria-label="Reason" placeholder="Reason (kept in the public record)" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <button onClick={() => void ask.run('resume')} disabled={ask.busy || !reason.trim()}>
            Ask to resume
          </button>
          <button class="danger" onClick={() => void ask.run('void')} disabled={ask.busy || !reason.trim()}>
            Ask to void (refund all)
          </button>
        </div>
      ) : null}
      {!admin ? <p class="muted">Only admins ask for or approve a resume or a void.</p> : null}
      <ErrorNotice error={ask.error ?? act.error} />
    </section>
  );
}
