// Public surface of the Realtime decoder and session tracker (consumers import from here).
export { binaryKindName, binaryLayout, decodeFrame, type BinaryLayout, type FrameInput } from './decode';
export { describeFrame, type FrameDescription } from './describe';
export {
  AUTH_EVENTS,
  BULK_EVENTS,
  FrameClassifier,
  HEARTBEAT_TOPIC,
  VSN_WHEN_UNDECIDED,
  classifyBinaryKind,
  classifyDecoded,
  classifyHead,
  firstBase64Byte,
  frameVsn,
  guessVsn,
  isPhoenixText,
  peekPhoenix,
  type FrameClass,
  type FrameClassification,
  type PhoenixHead,
} from './framing';
export { REALTIME_JS_PUSH_TIMEOUT_MS, RealtimeTracker, trackRealtime, type RealtimeTrackerOptions } from './tracker';
export { apikeyFromUrl, vsnFromUrl, vsnParamFromUrl, queryParams } from './url';
export { base64ToBytes, bytesToBase64 } from './bytes';
export type * from './types';
