// The panel-scale, memory, latency (one Chromium run each way: panel-probes.ts) and engine (Node:
// engine.ts) probes, run together for main.ts: their table rows and their JSON.

import { engineRows, runEngineBench, type EngineResult } from './engine';
import { startFloodServer } from './flood-server';
import { panelProbeConfig, panelProbeRows, runPanelProbes, type PanelProbeConfig, type PanelProbes, type ProbeRow } from './panel-probes';

export const PROBES = ['panel', 'memory', 'latency', 'engine'] as const;
export type ProbeName = (typeof PROBES)[number];

export interface ProbeOptions {
  extensionDir: string;
  quick: boolean;
  which: ReadonlySet<ProbeName>;
  log: (s: string) => void;
  /** Called before each timed part (main.ts waits for a quiet machine there). */
  beforeTimed: () => Promise<unknown>;
}

export interface ProbeResults {
  rows: ProbeRow[];
  json: { panelRun?: PanelProbes & { config: PanelProbeConfig }; engine?: EngineResult };
}

export async function runProbes(o: ProbeOptions): Promise<ProbeResults> {
  const rows: ProbeRow[] = [];
  const json: ProbeResults['json'] = {};
  const browserProbes = new Set(['panel', 'memory', 'latency'].filter((p) => o.which.has(p as ProbeName)));
  if (browserProbes.size) {
    const cfg = panelProbeConfig(o.quick);
    const server = await startFloodServer();
    try {
      await o.beforeTimed();
      const r = await runPanelProbes(o.extensionDir, server, cfg, o.log);
      json.panelRun = { ...r, config: cfg };
      rows.push(...panelProbeRows(r, browserProbes, o.quick));
    } catch (e) {
      for (const p of browserProbes) rows.push({ section: p === 'panel' ? 'panel scale' : p, figure: `${p} probe (panel-probes.ts)`, value: `failed: ${e instanceof Error ? e.message : String(e)}`, budget: '—', met: false, status: 'ERROR' });
    } finally {
      await server.close();
    }
  }
  if (o.which.has('engine')) {
    await o.beforeTimed();
    o.log('engine: tokens decoded and checked per second in Node…');
    try {
      const r = await runEngineBench(o.quick);
      json.engine = r;
      rows.push(...engineRows(r, o.quick));
    } catch (e) {
      rows.push({ section: 'engine', figure: 'engine probe (engine.ts)', value: `failed: ${e instanceof Error ? e.message : String(e)}`, budget: '—', met: false, status: 'ERROR' });
    }
  }
  return { rows, json };
}
