import argon2 from 'argon2';
import { config } from './config';

/**
 * Argon2id, by default with Attune's parameters (m=19456 KiB, t=2, p=1); `security.password_hash_memory_kib` and
 * `security.password_hash_iterations` lower the cost of NEW hashes where that is wanted (the e2e environment registers
 * one identity per scenario). A hash carries its own parameters, so verification works whatever they were.
 */
export function hashPassword(password: string): Promise<string> {
  const { password_hash_memory_kib: memoryCost, password_hash_iterations: timeCost } = config().security;
  return argon2.hash(password, { type: argon2.argon2id, memoryCost, timeCost, parallelism: 1 });
}

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
