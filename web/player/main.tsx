// web/player/main.tsx — the player app's entry: styles, the server clock, the shell.
import { render } from 'preact';
import '../lib/styles.css';
import { syncClock } from '../lib/clock.ts';
import { App } from './App.tsx';

void syncClock();
render(<App />, document.getElementById('app')!);
