// Who may open which port to the service worker (issue 10 item 9). Pure, so the rules are
// unit-tested without a browser; src/background/index.ts applies them to `runtime.onConnect`.
//
// `runtime.onConnect` fires for the extension's own contexts only (other extensions arrive on
// onConnectExternal, web pages nowhere without externally_connectable), but "own contexts"
// include the content scripts running inside every web page: a page that subverts its
// document's content script (a renderer compromise, or a bug in it) connects with the
// extension's id. So the panel port, which can subscribe to any tab's capture, is accepted only
// from a document whose origin is the extension's own (the DevTools panel, the popup, the panel
// opened as a tab), and a content port only from a content script in a tab.

/** The part of `runtime.MessageSender` the checks read (Chromium gives `origin`, Firefox `url`). */
export interface SenderLike {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number; url?: string };
  frameId?: number;
}

/** This extension: its id and the origin of its pages (`chrome-extension://<id>`, `moz-extension://<uuid>`). */
export interface ExtensionIdentity {
  id: string;
  origin: string;
}

/** The origin of `runtime.getURL('')` (no trailing slash). */
export function extensionOrigin(rootUrl: string): string {
  return originOf(rootUrl) ?? '';
}

/** Why a panel port is refused, or undefined when its sender is one of the extension's own pages. */
export function panelSenderFault(sender: SenderLike | undefined, self: ExtensionIdentity): string | undefined {
  if (!sender) return 'no sender';
  if (sender.id !== self.id) return 'another extension';
  if (!self.origin) return 'the extension origin is unknown';
  // Chromium reports the sender document's origin; Firefox only its URL.
  const origin = typeof sender.origin === 'string' && sender.origin !== 'null' ? sender.origin : originOf(sender.url);
  if (origin !== self.origin) return `a document of ${origin ?? 'unknown origin'}, not of the extension`;
  return undefined;
}

/** Why a content port is refused, or undefined for a content script of this extension in a tab. */
export function contentSenderFault(sender: SenderLike | undefined, self: ExtensionIdentity): string | undefined {
  if (!sender) return 'no sender';
  if (sender.id !== self.id) return 'another extension';
  if (typeof sender.tab?.id !== 'number' || sender.tab.id < 0) return 'not in a tab';
  return undefined;
}

function originOf(url: string | undefined): string | undefined {
  if (typeof url !== 'string') return undefined;
  // The scheme and authority, without URL parsing quirks for non-special schemes.
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  return m ? m[1].toLowerCase() : undefined;
}
