// Entry of the MAIN-world content script (built as one minified classic IIFE, ≤ 12 KB).
import { installHook } from './hook';

try {
  installHook(window);
} catch {
  // Never throw into the page, even if installation itself fails on an exotic document.
}
