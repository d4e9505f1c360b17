// web/ops/main.tsx — the operator console's entry: styles, the server clock, the shell.
import { render } from 'preact';
import '../lib/styles.css';
import './ops.css';
import { syncClock } from '../lib/clock.ts';
import { OpsApp } from './App.tsx';

void syncClock();
render(<OpsApp />, document.getElementById('app')!);
