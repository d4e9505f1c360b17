// Jurisdictions are configuration (config/jurisdictions.json, or JURISDICTIONS_FILE): the
// shipped table is valid, a bad file stops the server naming the entry and the field, and
// registration is refused outside a permitted territory (JURISDICTION_BLOCKED) and under
// the territory's own minimum age (UNDERAGE).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_JURISDICTIONS_FILE, loadConfig } from '../app/config.ts';
import { allGames } from '../games/index.ts';
import { closedBecause, findJurisdiction, parseJurisdictions } from '../games/jurisdictions.ts';
import { http, openDraw, startTestServer, type TestServer } from './support/harness.ts';

const GAMES = allGames().map((g) => g.id);
const shipped = JSON.parse(fs.readFileSync(DEFAULT_JURISDICTIONS_FILE, 'utf8'));

t.test('the shipped table: US states, the UK, Canadian provinces, closed territories', async (t) => {
  const table = parseJurisdictions(JSON.stringify(shipped), GAMES);
  for (const id of ['US-NJ', 'US-NY', 'GB', 'CA-ON', 'CA-BC', 'DE']) t.ok(table.jurisdictions.find((j) => j.id === id)?.permitted, `${id} is open`);
  for (const id of ['US-UT', 'FR', 'KP']) t.equal(table.jurisdictions.find((j) => j.id === id)?.permitted, false, `${id} is closed`);
  t.same([18, 19, 21].map((age) => table.jurisdictions.some((j) => j.minimumAge === age)), [true, true, true], 'minimum ages of 18, 19 and 21');
  t.equal(closedBecause(table, 'US', 'NJ'), undefined);
  t.match(closedBecause(table, 'US'), /only in some regions: give your region/);
  t.match(closedBecause(table, 'US', 'TX'), /only in some regions|not licensed/);
  t.match(closedBecause(table, 'BR'), /not licensed in BR/);
  t.match(closedBecause(table, 'US', 'UT'), /not permitted in Utah/);
  t.equal(findJurisdiction(table, 'GB', 'SCT')?.id, 'GB', "a region without an entry of its own takes its country's");
});

t.test('a bad table is refused naming the entry and the field', async (t) => {
  const withEntry = (change: (e: any) => void, index = 0) => {
    const copy = structuredClone(shipped);
    change(copy.jurisdictions[index]);
    return JSON.stringify(copy);
  };
  const nj = shipped.jurisdictions.findIndex((j: any) => j.region === 'NJ');
  const cases: [string, RegExp][] = [
    [withEntry((e) => (e.games = ['lotto649', 'bingo']), nj), /jurisdictions\[\d+\] \(US-NJ\)\.games: no game "bingo"/],
    [withEntry((e) => (e.timeZone = 'Mars/Olympus'), nj), /\(US-NJ\)\.timeZone: unknown time zone "Mars\/Olympus"/],
    [withEntry((e) => delete e.minimumAge, nj), /\(US-NJ\)\.minimumAge: required where play is permitted/],
    [withEntry((e) => (e.minimumAge = 12), nj), /\(US-NJ\)\.minimumAge/],
    [withEntry((e) => (e.country = 'usa'), nj), /\.country: must be an ISO 3166-1 alpha-2 code/],
    [withEntry((e) => (e.limits = { default: { stake: { day: 500 } }, maximum: { stake: { day: 100 } } }), nj), /\(US-NJ\)\.limits\.default\.stake\.day: 500 is above the maximum 100/],
    [withEntry((e) => (e.limits = { default: {}, maximum: { loss: { week: 100 } } }), nj), /limits\.default\.loss\.week: required, as the maximum is set/],
    [withEntry((e) => (e.colour = 'blue'), nj), /\(US-NJ\): Unrecognized key/i],
    [withEntry((e) => { Object.assign(e, shipped.jurisdictions[0]); delete e.region; delete e.taxWithholding; }, nj), /\(DE\): DE is listed twice/],
    [withEntry((e) => (e.taxWithholding = { thresholdMinor: 100, basisPoints: 2_400 }), nj), /\(US-NJ\)\.taxWithholding\.thresholdMinor: tax is withheld from held prizes only; it must be at least the review threshold \(60000\)/],
    [withEntry((e) => (e.taxWithholding = { thresholdMinor: 500_000, basisPoints: 10_000 }), nj), /\(US-NJ\)\.taxWithholding\.basisPoints/],
    [withEntry((e) => (e.prizeReviewThresholdMinor = 0), nj), /\(US-NJ\)\.prizeReviewThresholdMinor/],
    ['{"version":1', /not JSON/],
    [JSON.stringify({ ...shipped, privateAddressTerritory: { country: 'FR' } }), /privateAddressTerritory: must be a territory where play is permitted/],
  ];
  for (const [text, message] of cases) t.throws(() => parseJurisdictions(text, GAMES), { name: 'JurisdictionFileError', message }, String(message));
});

t.test('JURISDICTIONS_FILE: the server will not start on a bad file, and says which entry', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jurisdictions-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bad = path.join(dir, 'bad.json');
  const copy = structuredClone(shipped);
  copy.jurisdictions[2].timeZone = 'Nowhere/Land';
  fs.writeFileSync(bad, JSON.stringify(copy));
  t.throws(() => loadConfig({ JURISDICTIONS_FILE: bad }), { name: 'ConfigError', message: /^JURISDICTIONS_FILE .*bad\.json: jurisdictions\[2\] \(IE\)\.timeZone: unknown time zone/ });
  t.throws(() => loadConfig({ JURISDICTIONS_FILE: path.join(dir, 'absent.json') }), { name: 'ConfigError', message: /JURISDICTIONS_FILE cannot read .*absent\.json: ENOENT/ });
  const good = path.join(dir, 'good.json');
  fs.writeFileSync(good, JSON.stringify({ ...shipped, jurisdictions: shipped.jurisdictions.filter((j: any) => j.country === 'DE') }));
  t.equal(loadConfig({ JURISDICTIONS_FILE: good }).jurisdictions.jurisdictions.length, 1, 'an operator table of its own');
});

t.test('registration: territory and age, per jurisdiction', async (t) => {
  const ts: TestServer = await startTestServer();
  t.teardown(() => ts.close());
  let n = 0;
  const register = (country: string, region: string | undefined, dateOfBirth: string) =>
    http(ts.httpUrl, 'POST', '/api/auth/register', { email: `j${n++}-${Date.now()}@example.test`, password: 'correct horse battery staple', dateOfBirth, country, ...(region ? { region } : {}) });
  const years = (y: number, plusDays = 0) => {
    const d = new Date();
    d.setUTCFullYear(d.getUTCFullYear() - y);
    d.setUTCDate(d.getUTCDate() + plusDays);
    return d.toISOString().slice(0, 10);
  };
  t.match(await register('US', undefined, years(30)), { status: 403, body: { code: 'JURISDICTION_BLOCKED' } }, 'the US without a state');
  t.match(await register('US', 'UT', years(30)), { status: 403, body: { code: 'JURISDICTION_BLOCKED', message: /Utah/ } });
  t.match(await register('FR', undefined, years(30)), { status: 403, body: { code: 'JURISDICTION_BLOCKED' } });
  t.match(await register('BR', undefined, years(30)), { status: 403, body: { code: 'JURISDICTION_BLOCKED' } }, 'a country not listed');
  t.match(await register('US', 'NJ', years(21, 1)), { status: 403, body: { code: 'UNDERAGE', message: /New Jersey must be at least 21/ } }, 'a day short of 21 in New Jersey');
  t.match(await register('US', 'NJ', years(21)), { status: 201, body: { jurisdiction: 'US-NJ' } }, '21 today in New Jersey');
  t.match(await register('US', 'PA', years(18)), { status: 201, body: { jurisdiction: 'US-PA' } }, '18 is enough in Pennsylvania');
  t.match(await register('CA', 'BC', years(18)), { status: 403, body: { code: 'UNDERAGE' } }, '19 in British Columbia');
  t.match(await register('CA', 'bc', years(19)), { status: 201, body: { jurisdiction: 'CA-BC' } }, 'a region in lower case');
  t.match(await register('GB', undefined, years(17)), { status: 403, body: { code: 'UNDERAGE' } });
  const { rows } = await ts.pool.query(`select jurisdiction, time_zone from players where jurisdiction = 'CA-BC'`);
  t.same(rows, [{ jurisdiction: 'CA-BC', time_zone: 'America/Vancouver' }], "the jurisdiction's time zone is the player's");
});

t.test("a sales room of a game the player's jurisdiction does not offer is refused GAME_NOT_OFFERED", async (t) => {
  const ts: TestServer = await startTestServer();
  t.teardown(() => ts.close());
  const email = `gb-${Date.now()}@example.test`;
  t.equal((await http(ts.httpUrl, 'POST', '/api/auth/register', { email, password: 'correct horse battery staple', dateOfBirth: '1980-01-01', country: 'GB' })).status, 201);
  const { token } = (await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: 'correct horse battery staple' })).body;
  const join = async (gameId: string) => {
    const draw = await openDraw(ts.pool, 60 * 60 * 1000, Date.now(), 60 * 60 * 1000, gameId);
    return http(ts.httpUrl, 'POST', '/matchmake/joinOrCreate/sales', { drawId: draw.publicId }, token);
  };
  t.match(await join('keno'), { status: 403, body: { code: 'GAME_NOT_OFFERED', message: /keno is not offered in/ } }, 'keno is not sold in the UK');
  t.equal((await join('lotto649')).status, 200, 'lotto is');
});
