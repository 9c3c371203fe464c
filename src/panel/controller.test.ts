import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../messages';
import { portPair, type MemoryPort } from '../transport/testing';
import { PanelController } from './controller';

/** A panel controller whose background is an in-memory port the test speaks through. */
function connected(): { controller: PanelController; background: MemoryPort } {
  let background!: MemoryPort;
  const controller = new PanelController(5, () => {
    const [panelEnd, workerEnd] = portPair();
    background = workerEnd;
    return panelEnd;
  });
  return { controller, background };
}

describe('PanelController and the transport', () => {
  it('applies valid messages to the session', () => {
    const { controller, background } = connected();
    background.postMessage({ type: 'status', v: PROTOCOL_VERSION, tabId: 5, status: 'capturing', url: 'https://app.example/' });
    expect(controller.session.snapshot().capture).toMatchObject({ status: 'capturing', tabUrl: 'https://app.example/' });
  });

  it('shows a refused message as a problem, without applying it', () => {
    const { controller, background } = connected();
    background.postMessage({ type: 'status', v: PROTOCOL_VERSION, tabId: 5, status: 'capturing', url: 'https://app.example/' });
    background.postMessage({ type: 'events', docId: 'd', events: 'not a list' });
    const { capture } = controller.session.snapshot();
    expect(capture.problem).toMatch(/^Claimscope ignored a message from its background \(.+\)\. If this repeats, reload the extension\.$/);
    expect(controller.session.snapshot().eventCount).toBe(0);
    expect(controller.session.snapshot().drops.rejected).toBe(1);
  });

  it('says the halves speak different protocol versions, and how to fix it', () => {
    const { controller, background } = connected();
    background.postMessage({ type: 'status', v: PROTOCOL_VERSION + 1, tabId: 5, status: 'capturing' });
    expect(controller.session.snapshot().capture.problem).toBe(
      `Claimscope's panel speaks protocol ${PROTOCOL_VERSION} but its background speaks ${PROTOCOL_VERSION + 1}. ` +
        'The extension was probably updated while DevTools was open: close DevTools and open it again.',
    );
  });
});
