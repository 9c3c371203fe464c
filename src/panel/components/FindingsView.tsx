// Findings: the place where the engine's explanations (src/core/analysis) will be listed with
// code, severity, message and fix. Panel v0 does not run the engine yet.

import type { PanelModel } from '../model';

export function FindingsView(_props: { model: PanelModel }) {
  return (
    <div class="list-view" data-testid="findings-view">
      <p class="empty">
        Findings (why a channel fails on authentication, with the evidence and a fix) will appear here. This version of the panel
        shows the captured traffic only.
      </p>
    </div>
  );
}
