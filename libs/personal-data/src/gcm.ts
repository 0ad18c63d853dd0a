/** AES-256-GCM with a fresh random 96-bit IV and a full 128-bit tag. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs are drawn from the CSPRNG this many at a time (one call instead of one per value sealed); each pool is used once. */
const IVS_PER_DRAW = 512;

let ivPool = Buffer.alloc(0);
let ivNext = 0;

/** A fresh random IV: the next unused 12 bytes of a pool drawn from the CSPRNG (a new pool when it is used up, never refilled). */
function freshIv(): Buffer {
  if (ivNext + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * IVS_PER_DRAW);
    ivNext = 0;
  }
  const iv = ivPool.subarray(ivNext, ivNext + IV_BYTES);
  ivNext += IV_BYTES;
  return iv;
}

export interface GcmBox {
  iv: Buffer;
  ct: Buffer;
  tag: Buffer;
}

/**
 * A random IV per message is safe while a key encrypts fewer than ~2^32
 * messages; every data key serves one subject (or one subject-month), far below.
 * `aad` binds the ciphertext to its context (key and subject ids), so it cannot
 * be moved to another subject or key without failing authentication.
 */
export function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: string): GcmBox {
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = cipher.update(plaintext);
  // GCM is a stream mode: final() adds no bytes, only computes the tag.
  const rest = cipher.final();
  return { iv, ct: rest.length ? Buffer.concat([ct, rest]) : ct, tag: cipher.getAuthTag() };
}

/** The plaintext, or null when authentication fails (wrong key, or IV, ciphertext, tag or AAD altered). */
export function gcmDecrypt(key: Buffer, box: GcmBox, aad: string): Buffer | null {
  // Short IVs or tags are refused outright: GCM would accept truncated tags.
  if (box.iv.length !== IV_BYTES || box.tag.length !== TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, box.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(box.tag);
  try {
    return Buffer.concat([decipher.update(box.ct), decipher.final()]);
  } catch {
    return null;
  }
}

/** Stored form (bytea): iv ‖ tag ‖ ciphertext. */
export function pack(box: GcmBox): Buffer {
  return Buffer.concat([box.iv, box.tag, box.ct]);
}

export function unpack(bytes: Buffer): GcmBox {
  return { iv: bytes.subarray(0, IV_BYTES), tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES), ct: bytes.subarray(IV_BYTES + TAG_BYTES) };
}
