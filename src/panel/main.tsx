// Claimscope DevTools panel (placeholder while the panel is being built).
import { render } from 'preact';

render(<p>Claimscope</p>, document.getElementById('app')!);
