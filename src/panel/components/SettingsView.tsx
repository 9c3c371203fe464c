// Settings (issue 11 item 5): what the engine should expect of this project, and the panel's
// capture limits. Stored in storage.local (src/ui/settings-store.ts): preferences only, never a key
// or token. Reset is always here — and in the banner shown when stored settings could not be read.

import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_SETTINGS, formOf, LIMITS, parseForm, type FormField, type SettingsForm, type SettingsStore, type SettingsState } from '../../ui/settings-store';

const FIELDS: Array<{ field: FormField; label: string; help: string; multiline?: boolean; placeholder?: string }> = [
  { field: 'expectedAudience', label: 'Expected aud', help: 'Audience of user access tokens. Empty: Supabase Auth\'s "authenticated".', placeholder: 'authenticated' },
  { field: 'extraRoles', label: 'Extra roles', help: 'Postgres roles your tokens may carry beside anon, authenticated and service_role (comma-separated). Silences role-unknown for them.', placeholder: 'reporting, support' },
  {
    field: 'expectedIssuers',
    label: 'Expected issuer',
    help: 'One per line: a custom domain\'s Auth (https://api.example.com/auth/v1) or a third-party IdP. Tokens from these issuers raise no iss-unexpected.',
    multiline: true,
    placeholder: 'https://api.example.com/auth/v1',
  },
  {
    field: 'claimValidators',
    label: 'Claim validators',
    help: 'A self-hosted server\'s JWT_CLAIM_VALIDATORS as JSON: each claim must equal its value exactly. Empty: none (Supabase\'s hosted servers set none).',
    multiline: true,
    placeholder: '{"iss": "https://api.example.com/auth/v1"}',
  },
  { field: 'refreshMarginSeconds', label: 'Refresh margin (s)', help: 'How long before exp the session should refresh. Empty: auth-js\'s 90 s. Decides token-expires-soon and the hidden-tab check.', placeholder: '90' },
  {
    field: 'maxEvents',
    label: 'Capture limit (events)',
    help: `Events the panel keeps (${LIMITS.maxEvents.min.toLocaleString('en-US')}–${LIMITS.maxEvents.max.toLocaleString('en-US')}); older ones are dropped first and counted. Applies when the panel is next opened.`,
  },
  {
    field: 'maxMegabytes',
    label: 'Capture limit (MB)',
    help: `Payload megabytes the panel keeps (${LIMITS.maxMegabytes.min}–${LIMITS.maxMegabytes.max}). Applies when the panel is next opened.`,
  },
];

export function SettingsView({ store, state, appliedCapture }: { store: SettingsStore; state: SettingsState; appliedCapture: { maxEvents: number; maxMegabytes: number } }) {
  const [form, setForm] = useState<SettingsForm>(formOf(state.settings));
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [saved, setSaved] = useState<string | null>(null);
  // Another panel saved, or the stored value was loaded after this view opened: show it.
  useEffect(() => {
    setForm(formOf(state.settings));
    setErrors({});
  }, [state.settings]);

  const save = async () => {
    const parsed = parseForm(form);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      setSaved(null);
      return;
    }
    setErrors({});
    await store.save(parsed.settings);
    setSaved('Saved. The findings are being re-checked with these settings.');
  };
  const reset = async () => {
    await store.reset();
    setForm(formOf(DEFAULT_SETTINGS));
    setErrors({});
    setSaved('Reset to the defaults.');
  };
  const captureChanged = state.settings.capture.maxEvents !== appliedCapture.maxEvents || state.settings.capture.maxMegabytes !== appliedCapture.maxMegabytes;

  return (
    <div class="list-view settings-view" data-testid="settings-view">
      <form
        class="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {FIELDS.map(({ field, label, help, multiline, placeholder }) => {
          const id = `setting-${field}`;
          const props = {
            id,
            'data-testid': id,
            value: form[field],
            placeholder,
            spellcheck: false,
            autocomplete: 'off',
            'aria-invalid': errors[field] ? true : undefined,
            'aria-describedby': `${id}-help`,
            onInput: (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value }),
          };
          return (
            <div class="setting" key={field}>
              <label for={id}>{label}</label>
              {multiline ? <textarea rows={3} {...props} /> : <input type="text" {...props} />}
              <span class="muted" id={`${id}-help`}>
                {help}
              </span>
              {errors[field] && (
                <span class="warn" role="alert" data-testid="setting-error" data-field={field}>
                  {label}: {errors[field]}
                </span>
              )}
            </div>
          );
        })}
        <div class="settings-actions">
          <button type="submit" class="primary" data-testid="settings-save">
            Save
          </button>
          <button type="button" data-testid="settings-reset" onClick={() => void reset()}>
            Reset to defaults
          </button>
          {saved && (
            <span class="muted" role="status" data-testid="settings-saved">
              {saved}
            </span>
          )}
        </div>
        {captureChanged && (
          <p class="muted" data-testid="settings-capture-pending">
            This panel keeps {appliedCapture.maxEvents.toLocaleString('en-US')} events / {appliedCapture.maxMegabytes} MB; the new capture limits apply when the panel is
            next opened (close and reopen DevTools).
          </p>
        )}
        <p class="muted">
          Stored in this browser’s extension storage (storage.local), never sent anywhere. Keys and secrets are not settings: they stay in the key bar of the
          Tokens and Channels views, in memory.
        </p>
      </form>
    </div>
  );
}

/** Shown above every view while the stored settings could not be read: the message, and Reset. */
export function SettingsProblem({ store, state, onOpen }: { store: SettingsStore; state: SettingsState; onOpen: () => void }) {
  if (!state.problem) return null;
  return (
    <div class="banner warn" role="alert" data-testid="settings-problem">
      <span>Settings: {state.problem}</span>{' '}
      <button type="button" data-testid="settings-problem-reset" onClick={() => void store.reset()}>
        Reset settings
      </button>{' '}
      <button type="button" data-testid="settings-problem-open" onClick={onOpen}>
        Open settings
      </button>
    </div>
  );
}
