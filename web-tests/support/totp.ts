// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) for the tests, from a base32 secret.

import { createHmac } from 'node:crypto';

function base32(secret: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) continue;
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

export function totpAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return n.toString().padStart(6, '0');
}

/** Codes for successive fresh time steps within the server's ±1 window (no 30 s waits). */
export class Authenticator {
  private last = 0;
  constructor(private secret: string) {}
  next(): string {
    const now = Math.floor(Date.now() / 1000 / 30);
    const step = Math.max(now - 1, this.last + 1);
    if (step > now + 1) throw new Error('out of fresh TOTP steps in this window');
    this.last = step;
    return totpAt(this.secret, step);
  }
}
