// JSON for the web transport: the contract's Uint8Array fields travel as {"$bytes": "<base64>"}.
// Used by the web host (Node) and renderer/api.ts (browser), so it needs nothing but the platform.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Replaces every Uint8Array (Buffer included) by {$bytes}. Walks first: Buffer#toJSON would win a replacer. */
export function toWire(value: unknown): Json {
  if (value instanceof Uint8Array) return { $bytes: bytesToBase64(value) };
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toWire(item);
    return out;
  }
  return value as Json;
}

export function fromWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const only = entries.length === 1 ? entries[0] : undefined;
    if (only && only[0] === '$bytes' && typeof only[1] === 'string') return base64ToBytes(only[1]);
    return Object.fromEntries(entries.map(([key, item]) => [key, fromWire(item)]));
  }
  return value;
}

export const encodeWire = (value: unknown): string => JSON.stringify(toWire(value));
/** Throws SyntaxError on malformed JSON or base64; the caller answers with a bad-request error. */
export const decodeWire = (text: string): unknown => fromWire(JSON.parse(text));

const hasBuffer = typeof (globalThis as { Buffer?: unknown }).Buffer === 'function';
/** Chromium 140+ has native base64 on Uint8Array; older browsers take the slow path below. */
const native = Uint8Array as unknown as {
  fromBase64?: (text: string) => Uint8Array;
  prototype: { toBase64?: () => string };
};
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesToBase64(bytes: Uint8Array): string {
  if (hasBuffer) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  if (native.prototype.toBase64) return (bytes as unknown as { toBase64(): string }).toBase64();
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode's argument count is limited
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new SyntaxError('malformed base64 in $bytes');
  if (hasBuffer) return new Uint8Array(Buffer.from(text, 'base64'));
  if (native.fromBase64) return native.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
