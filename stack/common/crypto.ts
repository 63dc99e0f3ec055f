import * as crypto from 'node:crypto';

/**
 * Encryption of key values at rest, as Attune stores them: AES-256-GCM with the AES key being the
 * SHA-256 of the configured `security.encryption_key` string; the stored value is base64 of
 * nonce (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes); the plaintext is the value's JSON text.
 */
export function encryptionKeyHash(keyString: string): string {
  return crypto.createHash('sha256').update(keyString, 'utf8').digest('hex');
}

function aesKey(keyString: string): Buffer {
  if (!keyString || keyString.length < 32) throw new Error('security.encryption_key must be configured (at least 32 characters)');
  return crypto.createHash('sha256').update(keyString, 'utf8').digest();
}

export function encryptJson(value: unknown, keyString: string): string {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', aesKey(keyString), nonce);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

export function decryptJson(stored: string, keyString: string): unknown {
  const raw = Buffer.from(stored, 'base64');
  if (raw.length < 12 + 16) throw new Error('encrypted value is too short');
  const nonce = raw.subarray(0, 12);
  const tag = raw.subarray(raw.length - 16);
  const body = raw.subarray(12, raw.length - 16);
  const decipher = crypto.createDecipheriv('aes-256-gcm', aesKey(keyString), nonce);
  decipher.setAuthTag(tag);
  const text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  return JSON.parse(text);
}
