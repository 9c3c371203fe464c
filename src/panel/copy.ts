// Copying text from the panel. navigator.clipboard.writeText works inside the real DevTools panel
// of Chromium 156 without any granted permission (e2e/export-formats.spec.ts copies the report
// there); it rejects when the document has no focus or the frame is not delegated clipboard-write
// (DevTools panels of other browsers and versions). document.execCommand('copy') on a selected
// textarea still works in such frames while a user gesture is running, so it is the fallback; when
// both fail the caller says so and nothing is half-copied. Both need the click's user activation,
// so callers copy from the click itself; then no permission is needed: Firefox's clipboardWrite is
// for writes without one (measured on Firefox ESR 153: writeText refused outside a click, accepted
// in one, without the permission). Builders of the text for each kind: copy-text.ts.

export async function copyText(text: string): Promise<'clipboard' | 'fallback'> {
  try {
    await navigator.clipboard.writeText(text);
    return 'clipboard';
  } catch {
    // permission policy or no focus: the selection route below
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  try {
    area.select();
    if (!document.execCommand('copy')) throw new Error('the browser refused to copy (no clipboard access from this page)');
    return 'fallback';
  } finally {
    area.remove();
  }
}
