// Globals of the static test pages in e2e/pages (read by specs through page.evaluate).
export {};

declare global {
  interface Window {
    __pageMessages: Array<{ data: string; ports: number; origin: string }>;
    __pageErrors: string[];
    __received: { text: number; binary: number; bytes: number; events: string[] };
    __sent: number;
    __ws: WebSocket;
    __closed?: { code: number; reason: string; wasClean: boolean };
    push(topic: string, event: string, payload: unknown): string;
  }
}
