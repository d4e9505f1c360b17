// web/stage/main.tsx — placeholder: built by its owner.
import { render } from 'preact';
import '../lib/styles.css';

render(<main><h1>stage</h1></main>, document.getElementById('app')!);
