/**
 * Encryption at rest of sensitive fields: AES-256-GCM under
 * `ENCRYPTION_KEYS`, in the format every archgen backend stores.
 *
 * A stored value is `base64(version byte | key id (4 bytes) | nonce (12
 * bytes) | ciphertext | tag (16 bytes))` in a text column. The key id is the
 * first four bytes of SHA-256 over `archgen-key-id:` and the key, so a value
 * names the key that opens it: the first key encrypts, every listed key
 * decrypts. The version and key id are authenticated with the value.
 *
 * Sensitive unique fields also get a blind index: HMAC-SHA256 of the value
 * under a key derived from `SECRET_KEY`, so the database enforces
 * uniqueness without seeing the value.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";

const VERSION = 1;
const KEY_ID_SIZE = 4;
const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const HEADER_SIZE = 1 + KEY_ID_SIZE + NONCE_SIZE;

/** A stored value no listed key opens, or one that was altered. */
export class KeyringError extends Error {
  override name = "KeyringError";
}

/** The 4-byte id a ciphertext carries to name its key. */
export function keyId(key: Buffer): Buffer {
  return createHash("sha256")
    .update("archgen-key-id:")
    .update(key)
    .digest()
    .subarray(0, KEY_ID_SIZE);
}

/** The keys in use: the first encrypts, all decrypt; and the blind-index key. */
export class Keyring {
  private readonly indexKey: Buffer;

  constructor(
    private readonly keys: readonly Buffer[],
    secretKey: string,
  ) {
    if (keys.length === 0) {
      throw new KeyringError("at least one key is required");
    }
    this.indexKey = createHmac("sha256", secretKey).update("archgen-blind-index").digest();
  }

  /** Encrypts under the newest key. */
  encrypt(plaintext: string): string {
    const key = this.keys[0];
    if (key === undefined) {
      throw new KeyringError("no key");
    }
    const nonce = randomBytes(NONCE_SIZE);
    const aad = Buffer.concat([Buffer.from([VERSION]), keyId(key)]);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(aad);
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return Buffer.concat([aad, nonce, sealed, cipher.getAuthTag()]).toString("base64");
  }

  /** Opens a stored value with the key it names. */
  decrypt(stored: string): string {
    const data = Buffer.from(stored, "base64");
    if (data.length < HEADER_SIZE + TAG_SIZE || data[0] !== VERSION) {
      throw new KeyringError("not a value this app encrypted");
    }
    const wanted = data.subarray(1, 1 + KEY_ID_SIZE);
    const key = this.keys.find((k) => keyId(k).equals(wanted));
    if (key === undefined) {
      throw new KeyringError("the value was encrypted under a key not in ENCRYPTION_KEYS");
    }
    const decipher = createDecipheriv(
      "aes-256-gcm",
      key,
      data.subarray(1 + KEY_ID_SIZE, HEADER_SIZE),
    );
    decipher.setAAD(data.subarray(0, 1 + KEY_ID_SIZE));
    decipher.setAuthTag(data.subarray(data.length - TAG_SIZE));
    try {
      return Buffer.concat([
        decipher.update(data.subarray(HEADER_SIZE, data.length - TAG_SIZE)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new KeyringError("the value was altered or the key is wrong");
    }
  }

  /** Whether a stored value is under the newest key (`make rotate-keys` rewrites the others). */
  isCurrent(stored: string): boolean {
    const key = this.keys[0];
    const data = Buffer.from(stored, "base64");
    return key !== undefined && data.subarray(1, 1 + KEY_ID_SIZE).equals(keyId(key));
  }

  /** A keyed hash of a value: equal values, equal hashes; nothing else leaks. */
  blindIndex(plaintext: string): string {
    return createHmac("sha256", this.indexKey).update(plaintext, "utf8").digest("hex");
  }
}
