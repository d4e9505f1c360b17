// web/stage/DrawFinder.tsx — how a viewer finds a draw to watch: every game's draws from
// yesterday on (GET /api/games, GET /api/draws?game=), each a link to its stage. Shown at
// /draw/ with an id that names no draw; the player app and the console link to /draw/<id>.
import { useEffect, useState } from 'preact/hooks';
import { drawsOf, games as loadGames } from '../lib/catalogue.ts';
import { dateTime } from '../lib/format.ts';
import { ErrorNotice } from '../lib/ui.tsx';

interface GameDraws {
  gameId: string;
  name: string;
  draws: { drawId: string; status: string; drawAt: string }[];
}

/** Draws listed per game: the few around now are the ones worth watching. */
const DRAWS_PER_GAME = 4;

export function DrawFinder() {
  const [games, setGames] = useState<GameDraws[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    (async () => {
      const catalogue = await loadGames();
      const lists = await Promise.all(
        catalogue.map(async (g) => ({
          gameId: g.gameId,
          name: g.name,
          draws: (await drawsOf(g.gameId, DRAWS_PER_GAME)).map((d) => ({ drawId: d.drawId, status: d.status, drawAt: d.drawAt })),
        })),
      );
      setGames(lists);
    })().catch(setError);
  }, []);
  if (error) return <ErrorNotice error={error} />;
  if (!games) return <p class="muted">Looking for draws…</p>;
  return (
    <section class="card" aria-labelledby="finder-h">
      <h2 id="finder-h">Draws you can watch</h2>
      <div class="grid">
        {games.map((g) => (
          <div key={g.gameId}>
            <h3>{g.name}</h3>
            {g.draws.length === 0 ? (
              <p class="muted">No draws right now.</p>
            ) : (
              <ul class="finder">
                {g.draws.map((d) => (
                  <li key={d.drawId}>
                    <a href={`/draw/${encodeURIComponent(d.drawId)}`}>{dateTime(d.drawAt)}</a> <span class="muted">({d.status})</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
