// web/ops/main.tsx — placeholder: built by its owner.
import { render } from 'preact';
import '../lib/styles.css';

render(<main><h1>ops</h1></main>, document.getElementById('app')!);
