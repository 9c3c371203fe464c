// The one-time hand-over of the private MessagePort from the MAIN-world hook to the ISOLATED
// content script (toolchain.md spike). Shared by both sides so the key cannot drift.

/** Key of the hand-over message's data object; its value is the PROTOCOL_VERSION. */
export const HANDOVER_KEY = '__claimscope_port__';

