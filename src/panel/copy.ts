// Copying text from the panel. Inside DevTools the panel is an iframe of the devtools:// page,
// which does not delegate the clipboard-write permission: navigator.clipboard.writeText rejects
// there ("blocked because of a permissions policy"). document.execCommand('copy') on a selected
// textarea still works in that frame (a user gesture started it), so it is the fallback; when both
// fail the caller says so and nothing is half-copied.

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
