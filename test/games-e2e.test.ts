// Every game on sale, end to end on a running server: bets of every bet type and stake sold
// over the real SDK, a pick-3 combination sold out by three players at once (SOLD_OUT, and
// never a minor unit past its cap), each draw closed, sealed, drawn, its proof passing the
// verifier, and settled by the set-based path. What settlement paid is compared, ticket by
// ticket, with the game's rules applied here in JavaScript to the tickets as stored (their
// lines classed from their masks, games/catalogueKit.ts classOf), and the ledger checked.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { allGames, gameById } from '../games/index.ts';
import { classOf } from '../games/catalogueKit.ts';
import type { CatalogueGame, LineClass } from '../games/types.ts';
import { PICK_LIABILITY_CAP_MINOR } from '../games/pick.ts';
import { RAFFLE_PRIZES_MINOR } from '../games/raffle.ts';
import { drawProof } from '../ledger/drawSteps.ts';
import { drawById, type DrawRow } from '../ledger/draws.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allPassed, verifyDrawProof } from '../draw/verify.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, type BetReply, type TestServer } from './support/harness.ts';
import { closeAndSeal, drawSealed } from './support/draws.ts';

const CUTOFF_IN_MS = 8_000;
const GAMES = ['lotto649', 'jackpot569', 'pick3', 'pick4', 'keno', 'raffle'];

let ts: TestServer;
let tokens: string[];
const draws = new Map<string, DrawRow>();

/** A few bets of every bet type of a game, explicit and quick pick, at every stake offered. */
function betsFor(game: CatalogueGame, player: number): Record<string, unknown>[] {
  const bets: Record<string, unknown>[] = [];
  for (const type of game.betTypes) {
    type.stakesMinor.forEach((stake, i) => {
      bets.push({ betType: type.id, stake, quickPick: Math.min(type.linesPerTicketMax, 1 + ((player + i) % 3)) });
    });
  }
  // A lotto 6/49 client of before bet types: neither betType nor stake.
  if (game.id === 'lotto649') bets.push({ lines: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]] }, { quickPick: 5 });
  if (game.id === 'keno') bets.push({ stake: 500, lines: [[80], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 15, 25, 35, 45]] });
  // Every number of the drum as a one-spot line: exactly 20 of these 80 lines win, whatever is drawn.
  if (game.id === 'keno' && player === 0) {
    for (let k = 0; k < 8; k++) bets.push({ stake: 200, lines: Array.from({ length: 10 }, (_, i) => [10 * k + i + 1]) });
  }
  if (game.id === 'pick3') bets.push({ betType: 'box', stake: 200, lines: [[1, 1, 2], [3, 2, 1]] }, { betType: 'straight_box', stake: 100, lines: [[4, 5, 6]] });
  return bets;
}

async function sendAll(conn: PlayerConnection, prefix: string, bets: Record<string, unknown>[]): Promise<BetReply[]> {
  return Promise.all(bets.map((bet, i) => conn.bet({ requestId: `${prefix}-${i}`, ...bet })));
}

t.before(async () => {
  ts = await startTestServer();
  tokens = (await Promise.all([0, 1, 2].map(() => newPlayer(ts.httpUrl, 1_000_000)))).map((p) => p.token);
  const t0 = Date.now();
  for (const [i, id] of GAMES.entries()) draws.set(id, await openDraw(ts.pool, CUTOFF_IN_MS, t0, 1_000 + i, id));
});

t.teardown(async () => {
  await ts.close();
});

t.test('every bet type of every game sells; refusals carry the catalogue codes', async (t) => {
  for (const id of GAMES) {
    const game = gameById(id)!;
    const replies = await Promise.all(
      tokens.map(async (token, p) => {
        const conn = await PlayerConnection.join(ts.wsUrl, token, draws.get(id)!.publicId);
        try {
          return await sendAll(conn, `${id}-${p}`, betsFor(game, p));
        } finally {
          await conn.leave();
        }
      }),
    );
    const refused = replies.flat().filter((r) => r.type !== 'bet:accepted');
    t.same(refused, [], `${id}: all ${replies.flat().length} bets accepted`);
  }
  const conn = await PlayerConnection.join(ts.wsUrl, tokens[0], draws.get('pick3')!.publicId);
  try {
    const [badType, badStake, badBox, oldStyle] = await sendAll(conn, 'refusals', [
      { betType: 'parlay', lines: [[1, 2, 3]] },
      { betType: 'straight', stake: 150, lines: [[1, 2, 3]] },
      { betType: 'box', lines: [[7, 7, 7]] },
      { quickPick: 2 },
    ]);
    t.match(badType, { type: 'bet:rejected', code: 'INVALID_BET_TYPE', message: /straight, box, straight_box/ });
    t.match(badStake, { type: 'bet:rejected', code: 'INVALID_STAKE' });
    t.match(badBox, { type: 'bet:rejected', code: 'INVALID_SELECTION', message: /one order only/ });
    t.match(oldStyle, { type: 'bet:accepted', cost: 200 }, 'no bet type: the first (straight) at the smallest stake, 100 a line');
  } finally {
    await conn.leave();
  }
});

t.test('a pick-3 combination bet by three players at once sells up to its cap, then SOLD_OUT', async (t) => {
  // Each straight 7-7-7 at 10.00 could cost the house 5,000.00: the cap of 50,000.00 sells ten.
  const perBetMinor = 1000 * 500;
  // Quick picks above may have landed on 7-7-7 already: what they took is not for sale again.
  const before = await ts.pool.query(`select payout_minor from draw_liabilities where draw_id = $1 and combination = '777'`, [draws.get('pick3')!.id]);
  const taken = Number(before.rows[0]?.payout_minor ?? 0);
  const replies = (
    await Promise.all(
      tokens.map(async (token, p) => {
        const conn = await PlayerConnection.join(ts.wsUrl, token, draws.get('pick3')!.publicId);
        try {
          return await sendAll(conn, `cap-${p}`, Array.from({ length: 6 }, () => ({ betType: 'straight', stake: 1000, lines: [[7, 7, 7]] })));
        } finally {
          await conn.leave();
        }
      }),
    )
  ).flat();
  const sold = replies.filter((r) => r.type === 'bet:accepted').length;
  t.equal(sold, Math.floor((PICK_LIABILITY_CAP_MINOR - taken) / perBetMinor), 'exactly as many as the cap allows');
  t.ok(replies.filter((r) => r.type === 'bet:rejected').every((r) => r.code === 'SOLD_OUT'), 'the rest sold out');
  const { rows } = await ts.pool.query(`select payout_minor, cap_minor from draw_liabilities where draw_id = $1 and combination = '777'`, [draws.get('pick3')!.id]);
  t.same(rows.map((r) => [Number(r.payout_minor), Number(r.cap_minor)]), [[taken + sold * perBetMinor, PICK_LIABILITY_CAP_MINOR]], 'the row holds what was sold, never past the cap');
});

/** A raffle's winners: the i-th position drawn, in ticket id order, wins the i-th prize. */
async function expectedRafflePrizes(draw: DrawRow): Promise<Map<number, number>> {
  const { rows } = await ts.pool.query(`select id from tickets where draw_id = $1 order by id`, [draw.id]);
  const expected = new Map<number, number>();
  draw.numbers![0].forEach((position, i) => {
    if (position <= rows.length) expected.set(Number(rows[position - 1].id), RAFFLE_PRIZES_MINOR[i]);
  });
  return expected;
}

t.test('live: every room shows the jackpot, each tier\'s estimated prize and the sold-out combinations', async (t) => {
  const waitFor = async (f: () => boolean, ms = 15_000) => {
    for (const start = Date.now(); Date.now() - start < ms; ) {
      if (f()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return f();
  };
  const pick3 = await PlayerConnection.join(ts.wsUrl, tokens[1], draws.get('pick3')!.publicId);
  const lotto = await PlayerConnection.join(ts.wsUrl, tokens[1], draws.get('lotto649')!.publicId);
  const jackpot = await PlayerConnection.join(ts.wsUrl, tokens[1], draws.get('jackpot569')!.publicId);
  try {
    t.ok(await waitFor(() => pick3.room.state.soldOut?.includes('777')), 'the capped pick-3 combination is shown sold out');
    t.same([...pick3.room.state.tierNames].slice(0, 3), ['straight', 'box 6-way', 'box 3-way']);
    t.equal(pick3.room.state.tierEstimatesMinor[0], 100 * 500, 'a fixed tier shows its prize at the smallest stake');
    t.equal(pick3.room.state.jackpotMinor, -1, 'no jackpot in a fixed-odds game');
    const pool = () => lotto.room.state.poolTotalMinor as number;
    t.ok(await waitFor(() => pool() > 0 && lotto.room.state.jackpotMinor === Math.floor(Math.floor(pool() / 2) / 2)), `lotto 6/49: the jackpot is half the prize fund (${lotto.room.state.jackpotMinor} of a pool of ${pool()})`);
    t.same([...lotto.room.state.tierNames], ['match6', 'match5', 'match4', 'match3']);
    t.ok(lotto.room.state.tierEstimatesMinor.every((v: number) => v > 0), 'every tier has an estimate');
    t.ok(await waitFor(() => jackpot.room.state.jackpotMinor === 2_000_000_000), 'jackpot 5/69+1/26 shows its guaranteed minimum');
  } finally {
    await Promise.all([pick3.leave(), lotto.leave(), jackpot.leave()]);
  }
});

/** What each ticket of a drawn draw should be paid, by the game's rules applied in JavaScript. */
async function expectedPrizes(game: CatalogueGame, draw: DrawRow, rolloverInMinor: number): Promise<Map<number, number>> {
  if (game.prizeModel === 'raffle') return expectedRafflePrizes(draw);
  const { rows } = await ts.pool.query(`select id, bet_type, stake_minor, to_jsonb(line_masks::text[]) as line_masks from tickets where draw_id = $1 order by id`, [draw.id]);
  const lineClasses = rows.map((r) =>
    (r.line_masks as string[]).map((mask): LineClass => ({ betType: r.bet_type, stakeMinor: Number(r.stake_minor), lines: 1, ...classOf(game.maskSegments(r.bet_type), mask, game.drawnMask(r.bet_type, draw.numbers!)) })),
  );
  const merged = new Map<string, LineClass>();
  for (const c of lineClasses.flat()) {
    const key = JSON.stringify([c.betType, c.stakeMinor, c.matches, c.spots]);
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, lines: seen.lines + 1 } : c);
  }
  const settled = game.settle({ stakeTotalMinor: draw.seal!.stakeTotalMinor, rolloverInMinor, classes: [...merged.values()] });
  const perLine = new Map(settled.prizes.map((p) => [JSON.stringify([p.cls.betType, p.cls.stakeMinor, p.cls.matches, p.cls.spots]), p.perLineMinor]));
  const expected = new Map<number, number>();
  rows.forEach((r, i) => {
    const amount = lineClasses[i].reduce((sum, c) => sum + (perLine.get(JSON.stringify([c.betType, c.stakeMinor, c.matches, c.spots])) ?? 0), 0);
    if (amount > 0) expected.set(Number(r.id), amount);
  });
  return expected;
}

t.test('each draw is sealed, drawn, verified and settled: every ticket paid what the rules say', async (t) => {
  // A player connected to another draw's room hears of the prizes this settlement pays them.
  const tomorrow = await openDraw(ts.pool, 3_600_000, Date.now(), 3_600_000 + 77, 'lotto649');
  const listener = await PlayerConnection.join(ts.wsUrl, tokens[0], tomorrow.publicId);
  const results: any[] = [];
  listener.room.onMessage('result', (m: any) => results.push(m));
  t.teardown(() => listener.leave());
  await closeAndSeal(ts, [...draws.values()]);
  const verified: Promise<{ id: string; code: number; stdout: string }>[] = [];
  for (const id of GAMES) {
    const game = gameById(id)!;
    const drawn = await drawSealed(ts, draws.get(id)!);
    t.equal(drawn.numbers!.length, game.prizeModel === 'raffle' ? 1 : game.drums.length, `${id}: one list of numbers per drum`);
    if (id === 'raffle') t.equal(drawn.numbers![0].length, Math.min(RAFFLE_PRIZES_MINOR.length, drawn.seal!.ticketCount), 'raffle: one position per prize, at most one per ticket sold');
    const proof = await drawProof(ts.pool, drawn.publicId);
    // With the sealed ticket list, as an auditor runs it: leaf version 2 records (bet type and
    // stake sealed), and for the raffle the winners the proof names checked by position.
    const { records } = await ts.server.draws.runner.sealedTree(drawn);
    const checks = verifyDrawProof(proof!.proof as any, { tickets: records, publicKey: ts.server.draws.publicKey });
    t.ok(allPassed(checks), `${id}: the proof passes the verifier (${checks.filter((c) => !c.ok).map((c) => c.name).join(', ') || 'all checks'})`);
    t.ok(records.every((r) => r.leafVersion === 2), `${id}: every sealed record is of leaf version 2`);
    if (id === 'raffle') t.ok(checks.some((c) => c.name === 'raffle winners' && c.ok), 'raffle: the proof names its winners, checked against the list');
    verified.push(verifyWithCli(id, proof!.proof, records, ts.server.draws.publicKey));
    const rolloverBefore = await ts.pool.query(`select balance_minor from accounts where code = $1`, [`rollover:${id}`]);
    const rolloverIn = Number(rolloverBefore.rows[0]?.balance_minor ?? 0);
    const expected = await expectedPrizes(game, drawn, game.prizeModel === 'fixed' ? 0 : rolloverIn);
    t.equal(await ts.server.draws.runner.settle(drawn.id), 'settled');
    const { rows } = await ts.pool.query(`select ticket_id, amount_minor from ticket_prizes where draw_id = $1`, [drawn.id]);
    t.same(new Map(rows.map((r) => [Number(r.ticket_id), Number(r.amount_minor)])), expected, `${id}: ${expected.size} winning tickets, each paid its prize`);
    if (id === 'raffle') {
      t.equal(expected.size, drawn.seal!.ticketCount, 'raffle: fewer tickets than prizes, so every ticket won one');
      const paidIds = [...expected.keys()].map((rowId) => `T${rowId}`).sort();
      t.same([...(proof!.proof as any).raffle.winners].sort(), paidIds, 'raffle: the tickets paid are the winners the proof names');
    }
    if (id === 'keno') {
      const { rows: won } = await ts.pool.query(
        `select coalesce(sum(p.amount_minor), 0)::int8 as total, count(*)::int as n from ticket_prizes p join tickets t on t.id = p.ticket_id
          join players pl on pl.id = t.player_id join sessions s on s.player_id = pl.id where p.draw_id = $1 and s.token_hash = $2`,
        [drawn.id, crypto.createHash('sha256').update(tokens[0]).digest()],
      );
      const heard = async () => results.find((r) => r.drawId === drawn.publicId);
      for (let i = 0; i < 100 && !(await heard()); i++) await new Promise((r) => setTimeout(r, 50));
      t.match(await heard(), { gameId: 'keno', numbers: drawn.numbers, totalMinor: Number(won[0].total) }, `keno: the winner, in another draw's room, is told of ${won[0].n} prizes at once`);
      const { rows: oneSpot } = await ts.pool.query(`select sum(p.tier_lines[1])::int as n from ticket_prizes p where p.draw_id = $1`, [drawn.id]);
      t.ok(expected.size >= 2 && oneSpot[0].n >= 20, `keno: the one-spot lines covering the drum won at least 20 lines (${oneSpot[0].n})`);
    }
    const view = await http(ts.httpUrl, 'GET', `/api/draws/${drawn.publicId}`);
    t.ok(view.body.settlement.tiers.length > 0 && view.body.settlement.tiers.every((x: any) => ['share', 'fixed'].includes(x.kind)), `${id}: GET /api/draws/:id shows the tier breakdown`);
    const settled = (await drawById(ts.pool, drawn.id))!;
    const f = settled.flows!;
    t.equal(settled.prizeTotalMinor! + f.houseShareMinor + f.rolloverOutMinor, settled.seal!.stakeTotalMinor + f.rolloverInMinor + f.houseInMinor, `${id}: every minor unit accounted for`);
  }
  for (const r of await Promise.all(verified)) {
    const lines = r.stdout.split('\n').filter((l) => /^(PASS|FAIL)/.test(l));
    t.ok(r.code === 0 && lines.length > 0 && lines.every((l) => l.startsWith('PASS')), `${r.id}: npm run verify passes every check (exit ${r.code}, ${lines.length} checks)`);
  }
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});

/** The environment without tap's per-process instrumentation: the verifier runs as a user runs it. */
const cliEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_V8_COVERAGE|NODE_OPTIONS|_?TAP)/.test(k)));

/** `npm run verify -- proof.json --tickets tickets.json --key <key>` (what the script runs), on files of the draw. */
function verifyWithCli(id: string, proof: unknown, tickets: unknown, publicKey: string): Promise<{ id: string; code: number; stdout: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-${id}-`));
  const file = (name: string, value: unknown) => {
    const at = path.join(dir, name);
    fs.writeFileSync(at, JSON.stringify(value));
    return at;
  };
  const args = ['--import', 'tsx', 'draw/verify-cli.ts', file('proof.json', proof), '--tickets', file('tickets.json', tickets), '--key', publicKey];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: cliEnv, maxBuffer: 1 << 24 }, (err, stdout) => {
      fs.rmSync(dir, { recursive: true, force: true });
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ id, code, stdout });
    });
  });
}

t.test('GET /api/games lists every game on sale with its bet types, stakes and odds', async (t) => {
  const { status, body } = await http(ts.httpUrl, 'GET', '/api/games');
  t.equal(status, 200);
  t.same(body.map((g: any) => g.gameId).sort(), [...GAMES].sort());
  t.equal(body.find((g: any) => g.gameId === 'raffle').rafflePrizesMinor.length, RAFFLE_PRIZES_MINOR.length);
  const pick3 = body.find((g: any) => g.gameId === 'pick3');
  t.same(pick3.betTypes.map((b: any) => b.id), ['straight', 'box', 'straight_box']);
  t.equal(pick3.liabilityCapMinor, PICK_LIABILITY_CAP_MINOR);
  t.match(pick3.odds.find((o: any) => o.tier === 'straight'), { oneIn: '1000', prize: '500 × stake' });
  const lotto = body.find((g: any) => g.gameId === 'lotto649');
  t.match(lotto, { linePriceMinor: 200, linesPerTicketMax: 10, prizeModel: 'pari-mutuel' }, 'the fields lotto 6/49 clients read are kept');
});
