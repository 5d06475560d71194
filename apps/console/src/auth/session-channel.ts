/**
 * What the console's tabs tell each other about the one session they share (one cookie): when it will
 * time out, that it ended, that someone signed in. Each tab shows the same idle warning at the same
 * moment, and "stay signed in" in one tab dismisses it in all of them. Nothing personal is sent.
 */
export type SessionMessage =
  | { type: 'deadline'; idleExpiresAt: number }
  | { type: 'signed-out'; reason: SignedOutReason }
  | { type: 'signed-in' };

export type SignedOutReason = 'signed-out' | 'timed-out' | 'ended';

const NAME = 'bridge-console-session';

export function openSessionChannel(onMessage: (message: SessionMessage) => void): { post(message: SessionMessage): void; close(): void } {
  if (typeof BroadcastChannel !== 'function') return { post: () => undefined, close: () => undefined };
  const channel = new BroadcastChannel(NAME);
  channel.onmessage = (event: MessageEvent<SessionMessage>) => onMessage(event.data);
  return { post: (message) => channel.postMessage(message), close: () => channel.close() };
}
