// The live sold-out list (actors/LiveInfo.ts, ledger/liveInfo.ts soldOutCombinations) must
// name every combination that no bet can take any more, as rooms/SalesState.ts promises
// ("bets on them get SOLD_OUT"). It once judged every combination by one smallest payout for
// the whole game (pick-3: 4,000, the any-order half of a straight/box at the smallest stake on
// a 6-way combination), but a pair such as 1-1-7 cannot take less than 8,000 (the any-order
// half on a 3-way combination): with 4,000..7,999 left, a pair refused every bet and was not
// listed. The game now states the least per combination (games/pick.ts smallestPayoutOn).
import t from 'tap';
import { PICK_LIABILITY_CAP_MINOR } from '../games/pick.ts';
import type { DrawRow } from '../ledger/draws.ts';
import { newPlayer, openDraw, PlayerConnection, startTestServer, type TestServer } from './support/harness.ts';
import { until } from './support/wait.ts';

/** LiveInfo reads the ledger every 500 ms and rooms patch every 250 ms. */
const SHOWN_WAIT_MS = 3_000;
const repeat = (line: number[], n: number) => Array.from({ length: n }, () => line);

let ts: TestServer;
let draw: DrawRow;
let conn: PlayerConnection;

t.before(async () => {
  ts = await startTestServer();
  draw = await openDraw(ts.pool, 3_600_000, Date.now(), 3_600_000, 'pick3');
  const { token } = await newPlayer(ts.httpUrl, 1_000_000);
  conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
});

t.teardown(async () => {
  await conn?.leave();
  await ts?.close();
});

t.test('a pick-3 pair that refuses every bet is shown sold out, though more than the game’s smallest payout is left of its cap', async (t) => {
  // On 1-1-7, all at the smallest stake (100): 96 straights at 50,000, two straight/box
  // lines in its own order at 33,000, and 16 straight/box lines on 1-7-1 at 8,000 each for
  // 1-1-7: 4,994,000 sold, 6,000 left.
  const bets = [
    ...Array.from({ length: 9 }, () => ({ betType: 'straight', lines: repeat([1, 1, 7], 10) })),
    { betType: 'straight', lines: repeat([1, 1, 7], 6) },
    { betType: 'straight_box', lines: repeat([1, 1, 7], 2) },
    { betType: 'straight_box', lines: repeat([1, 7, 1], 8) },
    { betType: 'straight_box', lines: repeat([1, 7, 1], 8) },
  ];
  const sold = await Promise.all(bets.map((b, i) => conn.bet({ requestId: `fill-${i}`, stake: 100, ...b })));
  t.same(sold.filter((r) => r.type !== 'bet:accepted'), [], 'all sold');
  const { rows } = await ts.pool.query(`select payout_minor from draw_liabilities where draw_id = $1 and combination = '117'`, [draw.id]);
  t.equal(PICK_LIABILITY_CAP_MINOR - Number(rows[0].payout_minor), 6_000, '6,000 left of the cap on 1-1-7');

  // Every bet that would add to 1-1-7, each at its smallest: none fits in 6,000.
  const probes = [
    { betType: 'straight', lines: [[1, 1, 7]] },
    { betType: 'box', lines: [[1, 1, 7]] },
    { betType: 'straight_box', lines: [[1, 1, 7]] },
    { betType: 'straight_box', lines: [[1, 7, 1]] },
    { betType: 'straight_box', lines: [[7, 1, 1]] },
  ];
  const refused = await Promise.all(probes.map((b, i) => conn.bet({ requestId: `probe-${i}`, stake: 100, ...b })));
  t.same(refused.map((r) => r.code), probes.map(() => 'SOLD_OUT'), 'every bet on 1-1-7 is refused SOLD_OUT');

  const shown = await until(() => [...(conn.room.state.soldOut ?? [])].includes('117'), SHOWN_WAIT_MS, 20);
  t.ok(shown, `the room shows 1-1-7 sold out (it shows: ${[...(conn.room.state.soldOut ?? [])].join(', ') || 'nothing'})`);
});
