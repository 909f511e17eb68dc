// main -> renderer events: checked against the contract, then sent to the one window if it is there.
import { type EventChannel, type EventPayload, events } from '../contract/app-api';

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

export function windowEmitter(target: () => EventTarget | null, log: (m: string) => void) {
  return <C extends EventChannel>(channel: C, payload: EventPayload<C>): void => {
    const checked = events[channel].safeParse(payload);
    if (!checked.success) return log(`not sent: ${channel} does not match the contract: ${checked.error.message}`);
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(channel, checked.data);
  };
}
