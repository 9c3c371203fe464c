// The panel's settings (issue 11 item 5): what the engine should expect of this project — the
// audience of user tokens, extra Postgres roles, the issuer(s) of a custom domain or third-party
// auth, a self-hosted server's JWT_CLAIM_VALIDATORS, the refresh margin — and the panel's capture
// limits. Persisted in `storage.local` (they are preferences, never a secret: a value that looks
// like a key or token is refused), versioned, and read defensively: whatever is stored — another
// version, a hand-edited or corrupt value — the panel starts with defaults for what it cannot
// read and says so, and Reset (which only removes the stored value) always works.
//
// No extension API is imported here (the area is passed in), so the store is unit-tested in Node.

import { parseClaimValidators, type ProjectKnowledge } from '../core/session';
import type { ChangeEvents, ChangeListener, StorageArea } from './storage-area';

export const SETTINGS_KEY = 'claimscope.settings';
export const SETTINGS_VERSION = 1;

export interface PanelSettings {
  /** Audience of user access tokens; '' = Supabase's `authenticated`. */
  expectedAudience: string;
  /** Postgres roles that exist beside anon, authenticated and service_role. */
  extraRoles: string[];
  /** Issuers to accept (custom domain `https://api.example.com/auth/v1`, a third-party IdP). */
  expectedIssuers: string[];
  /** Mirrors the server's JWT_CLAIM_VALIDATORS (claim → exact value); null = none. */
  claimValidators: Record<string, unknown> | null;
  /** Seconds before exp a refresh is due; null = auth-js's 90 s. */
  refreshMarginSeconds: number | null;
  /** The panel's own copy of the capture ("preserve log"), applied when the panel opens. */
  capture: { maxEvents: number; maxMegabytes: number };
}

export const LIMITS = {
  maxEvents: { min: 1_000, max: 1_000_000, default: 200_000 },
  maxMegabytes: { min: 8, max: 512, default: 64 },
  refreshMarginSeconds: { min: 1, max: 86_400 },
  text: 2_048,
  validatorsText: 16 * 1024,
  listItems: 32,
} as const;

export const DEFAULT_SETTINGS: PanelSettings = Object.freeze({
  expectedAudience: '',
  extraRoles: [],
  expectedIssuers: [],
  claimValidators: null,
  refreshMarginSeconds: null,
  capture: { maxEvents: LIMITS.maxEvents.default, maxMegabytes: LIMITS.maxMegabytes.default },
}) as PanelSettings;

/** The stored form: the version, then the settings. */
interface StoredSettings extends PanelSettings {
  v: number;
}

// A JWT, an sb_secret_/sb_publishable_ key, or a PEM block: settings never hold a key or token.
const SECRET_LIKE = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|sb_(secret|publishable)_[A-Za-z0-9_-]{8,}|-----BEGIN [A-Z ]*KEY-----/;

function looksSecret(text: string): boolean {
  return SECRET_LIKE.test(text);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What the engine is told (ProjectKnowledge), from the settings; only what differs from defaults. */
export function settingsKnowledge(s: PanelSettings): Partial<ProjectKnowledge> {
  return {
    ...(s.expectedAudience !== '' ? { expectedAudience: s.expectedAudience } : {}),
    ...(s.extraRoles.length > 0 ? { knownRoles: [...s.extraRoles] } : {}),
    ...(s.expectedIssuers.length > 0 ? { expectedIssuer: [...s.expectedIssuers] } : {}),
    ...(s.claimValidators ? { claimValidators: s.claimValidators } : {}),
    ...(s.refreshMarginSeconds !== null ? { refreshMarginSeconds: s.refreshMarginSeconds } : {}),
  };
}

// ---- reading what is stored ---------------------------------------------------------------------

export interface Decoded {
  settings: PanelSettings;
  /** Set when something stored could not be used: what, and that defaults replace it. */
  problem?: string;
}

/** The stored value back. Never throws: what cannot be read becomes the default, with a message. */
export function decodeSettings(value: unknown): Decoded {
  if (value === undefined) return { settings: DEFAULT_SETTINGS };
  if (!isObject(value)) return { settings: DEFAULT_SETTINGS, problem: `The stored settings are not an object (${describe(value)}); the defaults are in use.` };
  if (value.v !== SETTINGS_VERSION) {
    const v = typeof value.v === 'number' ? `version ${value.v}` : 'no version';
    return { settings: DEFAULT_SETTINGS, problem: `The stored settings have ${v}; this Claimscope reads version ${SETTINGS_VERSION}, so the defaults are in use.` };
  }
  const bad: string[] = [];
  const pick = <T,>(name: string, read: () => T | undefined, fallback: T): T => {
    try {
      const got = read();
      if (got !== undefined) return got;
    } catch {
      // fall through: unreadable is the same as invalid
    }
    bad.push(name);
    return fallback;
  };
  const text = (v: unknown) => (typeof v === 'string' && v.length <= LIMITS.text && !looksSecret(v) ? v : undefined);
  const list = (v: unknown) =>
    Array.isArray(v) && v.length <= LIMITS.listItems && v.every((x) => typeof x === 'string' && x.trim() !== '' && x.length <= LIMITS.text && !looksSecret(x))
      ? (v as string[])
      : undefined;
  const int = (v: unknown, r: { min: number; max: number }) => (typeof v === 'number' && Number.isInteger(v) && v >= r.min && v <= r.max ? v : undefined);
  const capture = isObject(value.capture) ? value.capture : {};
  const settings: PanelSettings = {
    expectedAudience: pick('expected audience', () => text(value.expectedAudience), DEFAULT_SETTINGS.expectedAudience),
    extraRoles: pick('extra roles', () => list(value.extraRoles), DEFAULT_SETTINGS.extraRoles),
    expectedIssuers: pick('expected issuers', () => list(value.expectedIssuers), DEFAULT_SETTINGS.expectedIssuers),
    claimValidators: pick(
      'claim validators',
      () => (value.claimValidators === null ? null : isObject(value.claimValidators) && !looksSecret(JSON.stringify(value.claimValidators)) ? value.claimValidators : undefined),
      DEFAULT_SETTINGS.claimValidators,
    ),
    refreshMarginSeconds: pick('refresh margin', () => (value.refreshMarginSeconds === null ? null : int(value.refreshMarginSeconds, LIMITS.refreshMarginSeconds)), DEFAULT_SETTINGS.refreshMarginSeconds),
    capture: {
      maxEvents: pick('capture limit (events)', () => int(capture.maxEvents, LIMITS.maxEvents), DEFAULT_SETTINGS.capture.maxEvents),
      maxMegabytes: pick('capture limit (MB)', () => int(capture.maxMegabytes, LIMITS.maxMegabytes), DEFAULT_SETTINGS.capture.maxMegabytes),
    },
  };
  return bad.length === 0
    ? { settings }
    : { settings, problem: `Some stored settings could not be read (${bad.join(', ')}); the defaults are in use for ${bad.length === 1 ? 'it' : 'them'}.` };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text of ${value.length} characters`;
  return typeof value;
}

export function encodeSettings(s: PanelSettings): StoredSettings {
  return { v: SETTINGS_VERSION, ...s, extraRoles: [...s.extraRoles], expectedIssuers: [...s.expectedIssuers], capture: { ...s.capture } };
}

// ---- the form ------------------------------------------------------------------------------------

/** The settings as the form's text fields. */
export interface SettingsForm {
  expectedAudience: string;
  /** Comma- or line-separated. */
  extraRoles: string;
  /** One per line. */
  expectedIssuers: string;
  /** JSON object text, '' = none. */
  claimValidators: string;
  /** Seconds, '' = default. */
  refreshMarginSeconds: string;
  maxEvents: string;
  maxMegabytes: string;
}

export type FormField = keyof SettingsForm;

export function formOf(s: PanelSettings): SettingsForm {
  return {
    expectedAudience: s.expectedAudience,
    extraRoles: s.extraRoles.join(', '),
    expectedIssuers: s.expectedIssuers.join('\n'),
    claimValidators: s.claimValidators ? JSON.stringify(s.claimValidators) : '',
    refreshMarginSeconds: s.refreshMarginSeconds === null ? '' : String(s.refreshMarginSeconds),
    maxEvents: String(s.capture.maxEvents),
    maxMegabytes: String(s.capture.maxMegabytes),
  };
}

/** The form read back: the settings, or one message per field that cannot be used (nothing saved). */
export function parseForm(form: SettingsForm): { ok: true; settings: PanelSettings } | { ok: false; errors: Partial<Record<FormField, string>> } {
  const errors: Partial<Record<FormField, string>> = {};
  const secretWords = 'looks like a key or token — settings are stored unencrypted and never hold a secret';
  const check = (field: FormField, text: string): boolean => {
    if (text.length > (field === 'claimValidators' ? LIMITS.validatorsText : LIMITS.text)) errors[field] = 'is too long';
    else if (looksSecret(text)) errors[field] = secretWords;
    return errors[field] === undefined;
  };
  const aud = form.expectedAudience.trim();
  check('expectedAudience', aud);
  const roles = form.extraRoles.split(/[\s,]+/).map((r) => r.trim()).filter((r) => r !== '');
  if (check('extraRoles', form.extraRoles)) {
    const bad = roles.find((r) => !/^[A-Za-z_][A-Za-z0-9_$-]*$/.test(r));
    if (bad !== undefined) errors.extraRoles = `"${bad.slice(0, 64)}" is not a Postgres role name`;
    else if (roles.length > LIMITS.listItems) errors.extraRoles = `at most ${LIMITS.listItems} roles`;
  }
  const issuers = form.expectedIssuers.split(/\r?\n/).map((i) => i.trim()).filter((i) => i !== '');
  if (check('expectedIssuers', form.expectedIssuers)) {
    if (issuers.length > LIMITS.listItems) errors.expectedIssuers = `at most ${LIMITS.listItems} issuers`;
    else {
      const bad = issuers.find((i) => /\s/.test(i));
      if (bad !== undefined) errors.expectedIssuers = `"${bad.slice(0, 64)}" has a space in it; put one issuer per line`;
    }
  }
  let validators: Record<string, unknown> | null = null;
  const vText = form.claimValidators.trim();
  if (vText !== '' && check('claimValidators', vText)) {
    const parsed = parseClaimValidators(vText);
    if (parsed.ok) validators = parsed.value;
    else errors.claimValidators = parsed.error;
  }
  const number = (field: FormField, text: string, r: { min: number; max: number }): number | null => {
    const t = text.trim().replace(/[_,\s]/g, '');
    if (t === '') return null;
    const n = Number(t);
    if (!/^\d+$/.test(t) || !Number.isSafeInteger(n) || n < r.min || n > r.max) {
      errors[field] = `must be a whole number from ${r.min.toLocaleString('en-US')} to ${r.max.toLocaleString('en-US')}`;
      return null;
    }
    return n;
  };
  const margin = number('refreshMarginSeconds', form.refreshMarginSeconds, LIMITS.refreshMarginSeconds);
  const maxEvents = number('maxEvents', form.maxEvents, LIMITS.maxEvents) ?? LIMITS.maxEvents.default;
  const maxMegabytes = number('maxMegabytes', form.maxMegabytes, LIMITS.maxMegabytes) ?? LIMITS.maxMegabytes.default;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: { expectedAudience: aud, extraRoles: roles, expectedIssuers: issuers, claimValidators: validators, refreshMarginSeconds: margin, capture: { maxEvents, maxMegabytes } },
  };
}

// ---- the store -----------------------------------------------------------------------------------

/** The part of `storage.local` the store uses. */
export type LocalArea = StorageArea;
export type { ChangeEvents, ChangeListener };

export interface SettingsState {
  settings: PanelSettings;
  /** Whether the stored value was read (before that, the defaults are shown). */
  loaded: boolean;
  /** What could not be read from storage, or why saving failed. */
  problem?: string;
  /** Changes with every change (part of the engine's cache key). */
  version: number;
}

export class SettingsStore {
  private state: SettingsState = { settings: DEFAULT_SETTINGS, loaded: false, version: 0 };
  private readonly listeners = new Set<() => void>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly area: LocalArea | undefined,
    changes?: ChangeEvents,
  ) {
    // Another panel (another DevTools window) saved or reset: follow it.
    changes?.addListener((c, areaName) => {
      if (areaName !== 'local' || !(SETTINGS_KEY in c)) return;
      const decoded = decodeSettings(c[SETTINGS_KEY].newValue);
      this.update({ settings: decoded.settings, loaded: true, problem: decoded.problem });
    });
  }

  get(): SettingsState {
    return this.state;
  }

  /** Reads the stored settings (once; later calls wait for the same read). */
  load(): Promise<void> {
    this.loading ??= (async () => {
      if (!this.area) return this.update({ loaded: true });
      try {
        const got = await this.area.get(SETTINGS_KEY);
        const decoded = decodeSettings(got[SETTINGS_KEY]);
        this.update({ settings: decoded.settings, loaded: true, problem: decoded.problem });
      } catch (e) {
        this.update({ loaded: true, problem: `The stored settings could not be read (${e instanceof Error ? e.message : String(e)}); the defaults are in use.` });
      }
    })();
    return this.loading;
  }

  /** Saves and applies. A failed write keeps the new settings for this panel and says so. */
  async save(settings: PanelSettings): Promise<void> {
    this.update({ settings, problem: undefined });
    if (!this.area) return;
    try {
      await this.area.set({ [SETTINGS_KEY]: encodeSettings(settings) });
    } catch (e) {
      this.update({ problem: `The settings apply to this panel but could not be saved (${e instanceof Error ? e.message : String(e)}).` });
    }
  }

  /** Back to the defaults: removes the stored value (whatever it holds, however corrupt). */
  async reset(): Promise<void> {
    this.update({ settings: DEFAULT_SETTINGS, problem: undefined });
    if (!this.area) return;
    try {
      await this.area.remove(SETTINGS_KEY);
    } catch (e) {
      this.update({ problem: `The defaults apply to this panel, but the stored settings could not be removed (${e instanceof Error ? e.message : String(e)}).` });
    }
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private update(next: Partial<SettingsState>): void {
    this.state = { ...this.state, ...next, version: this.state.version + 1 };
    for (const fn of this.listeners) fn();
  }
}
