// web/stage/main.tsx — the live draw stage at /draw/:drawId (app/webApp.ts serves draw.html
// there): reads the draw id from the path, joins its stage room and renders it.
import { render } from 'preact';
import '../lib/styles.css';
import './stage.css';
import { syncClock } from '../lib/clock.ts';
import { link, watch } from './connection.ts';
import { StagePage } from './Stage.tsx';

/** The id in /draw/<id> (decoded), or '' when the path holds none. */
function drawIdFromPath(pathname: string): string {
  const match = /^\/draw\/([^/]+)\/?$/.exec(pathname);
  if (!match) return '';
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return '';
  }
}

const drawId = drawIdFromPath(location.pathname);
document.title = drawId ? `Live draw ${drawId}` : 'Live draw';
// A first estimate of the server's clock before the room's state brings a better one.
void syncClock();
// The server checks the id's shape too (BAD_REQUEST); this spares a request for an empty one.
if (/^[A-Za-z0-9_.:-]{1,64}$/.test(drawId)) watch(drawId);
else link.value = { kind: 'unknown' };

render(<StagePage drawId={drawId} />, document.getElementById('app')!);
