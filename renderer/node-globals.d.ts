// main/contract/wire.ts is shared with Node and feature-detects Buffer at run time. The renderer is
// type-checked without Node's types, so declare the one shape wire.ts touches.
declare const Buffer: {
  from(data: ArrayBufferLike | string, offsetOrEncoding?: number | string, length?: number): Uint8Array & {
    toString(encoding: string): string;
  };
};
