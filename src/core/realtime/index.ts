// Public surface of the Realtime decoder and session tracker (consumers import from here).
export { binaryKindName, decodeFrame, type FrameInput } from './decode';
export { describeFrame, type FrameDescription } from './describe';
export { REALTIME_JS_PUSH_TIMEOUT_MS, RealtimeTracker, trackRealtime, type RealtimeTrackerOptions } from './tracker';
export { apikeyFromUrl, vsnFromUrl, vsnParamFromUrl, queryParams } from './url';
export { base64ToBytes, bytesToBase64 } from './bytes';
export type * from './types';
