/**
 * @module auth/key-encryption
 * Encryption at rest for private key material kept in D1 (the signing keys' private parts): AES-256-GCM under
 * a key derived with HKDF-SHA256 from the KEY_ENCRYPTION_KEY secret. The associated data binds each ciphertext
 * to its row (the key id), so a ciphertext copied onto another row does not decrypt. Someone holding a copy
 * of the database but not the secret holds no usable private key.
 *
 * Stored form: `v1.<iv base64url>.<ciphertext+tag base64url>`.
 */
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const keys = new Map<string, Promise<CryptoKey>>()

function aesKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('usher signing keys v1') },
          material,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      )
    keys.set(secret, key)
  }
  return key
}

const b64 = (bytes: Uint8Array) => bytes.toBase64({ alphabet: 'base64url', omitPadding: true })
const unb64 = (text: string) => Uint8Array.fromBase64(text, { alphabet: 'base64url' })

/** Encrypt `plaintext` for the row named `associatedData`. */
export async function sealSecret(secret: string, plaintext: string, associatedData: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(associatedData) },
    await aesKey(secret),
    encoder.encode(plaintext),
  )
  return `v1.${b64(iv)}.${b64(new Uint8Array(sealed))}`
}

/** Decrypt what `sealSecret` produced; throws when the secret or the row does not match. */
export async function openSecret(secret: string, stored: string, associatedData: string): Promise<string> {
  const [version, iv, sealed] = stored.split('.')
  if (version !== 'v1' || !iv || !sealed) throw new Error('unknown encrypted key format')
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: unb64(iv), additionalData: encoder.encode(associatedData) },
    await aesKey(secret),
    unb64(sealed),
  )
  return decoder.decode(plain)
}
