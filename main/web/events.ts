// Server-Sent Events: every connected page of this run receives main's events, in the wire encoding.
import type { ServerResponse } from 'node:http';
import type { EventChannel, EventPayload } from '../contract/app-api';
import { events } from '../contract/app-api';
import { encodeWire } from '../contract/wire';

export class EventHub {
  readonly #clients = new Set<ServerResponse>();
  readonly #heartbeat = setInterval(() => this.#write(': keep-alive\n\n'), 15_000).unref();

  attach(res: ServerResponse, headers: Record<string, string>): void {
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
  }

  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const checked = events[channel].parse(payload);
    this.#write(`event: ${channel}\ndata: ${encodeWire(checked)}\n\n`);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #write(text: string): void {
    for (const res of this.#clients) res.write(text);
  }
}
