/**
 * @module auth/signing-keys
 * The asymmetric keys access tokens are signed with (ES256 by default, EdDSA by TOKEN_SIGNING_ALGORITHM), kept
 * in D1 (`signing_keys`) with the private part encrypted under KEY_ENCRYPTION_KEY, and published at
 * `/.well-known/jwks.json` so any backend can check Usher's tokens offline.
 *
 * Lifecycle of a key: **next** (published ahead, does not sign yet) → **current** at a rotation (signs;
 * exactly one; the first current and next keys are created on first use) → **previous** at the following
 * rotation (no longer signs, its private part erased, still published and accepted until every token it
 * signed has expired: rotation + access-token lifetime + 60 s) → **retired** (neither published nor
 * accepted). Because the next key is published before it signs, verifiers that cache the JWKS already hold it
 * when it becomes current: a rotation needs no refetch anywhere.
 *
 * An emergency rotation (`revokePrevious`, for a key believed leaked) retires every stored key at once — the
 * current one, earlier ones, and the pre-published next one, since it was stored alongside — and starts over
 * with fresh current and next keys. Tokens of the old keys are refused on the next request and realm-web
 * refreshes onto the new key (refresh tokens are not signed, so nobody is logged out); offline verifiers
 * refetch the JWKS when they meet the new kid.
 *
 * Per isolate, imported keys are cached by kid (a kid's key never changes); which kid is current is read
 * with the query each signing request already makes, so a rotation anywhere is followed on the next token.
 */
import { and, desc, eq, gt, isNotNull, isNull, or, sql } from 'drizzle-orm'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { Actor, Usher } from '../context'
import { changes, isoTime, rawStatement, runBatch } from '../db/client'
import { auditLog, signingKeys, type SigningAlgorithm, SIGNING_KEY_SLOTS } from '../db/schema'

type SigningKeySlot = (typeof SIGNING_KEY_SLOTS)[number]
import { errors } from '../errors'
import { auditIfChanged } from '../users/audit'
import { openSecret, sealSecret } from './key-encryption'

export type SigningKeyRow = typeof signingKeys.$inferSelect
export type KeyState = 'next' | 'current' | 'previous' | 'retired'

export interface Signer {
  kid: string
  algorithm: SigningAlgorithm
  key: CryptoKey
}

/** How long after its rotation a previous key stays published and accepted, beyond the token lifetime. */
export const ROTATION_MARGIN_MS = 60_000

/** Published and accepted: current, next, or previous and neither revoked nor past retirement. */
export function acceptedKey(now: number | ReturnType<typeof sql.placeholder>) {
  return and(isNull(signingKeys.revokedAt), or(isNotNull(signingKeys.slot), gt(signingKeys.retiresAt, now)))
}

export function keyState(row: SigningKeyRow, now: number): KeyState {
  if (row.slot) return row.slot
  if (row.revokedAt === null && row.retiresAt !== null && row.retiresAt > now) return 'previous'
  return 'retired'
}

const signers = new Map<string, Promise<Signer>>()
const verifiers = new Map<string, Promise<CryptoKey>>()

/** A new key pair, its kid (the RFC 7638 thumbprint of the public key) and the sealed private part. */
async function newKeyRow(usher: Usher, slot: SigningKeySlot): Promise<SigningKeyRow> {
  const algorithm = usher.config.signingAlgorithm
  const pair = await generateKeyPair(algorithm, { extractable: true })
  const publicJwk = await exportJWK(pair.publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const privateJwk = await exportJWK(pair.privateKey)
  return {
    kid,
    algorithm,
    publicJwk: { ...publicJwk, kid, alg: algorithm, use: 'sig' },
    privateKey: await sealSecret(usher.config.secrets.keyEncryptionKey, JSON.stringify(privateJwk), kid),
    slot,
    createdAt: usher.now(),
    rotatedAt: null,
    retiresAt: null,
    revokedAt: null,
  }
}

/** Store a key in its slot if `condition` holds and the slot is free (another isolate may have got there first). */
function insertKey(row: SigningKeyRow, condition = sql`1`) {
  return rawStatement(sql`INSERT INTO ${signingKeys} (kid, algorithm, public_jwk, private_key, slot, created_at)
    SELECT ${row.kid}, ${row.algorithm}, ${JSON.stringify(row.publicJwk)}, ${row.privateKey}, ${row.slot}, ${row.createdAt}
    WHERE ${condition}
    ON CONFLICT DO NOTHING`)
}

/**
 * The kid of the current key, creating the first current and next keys if there are none yet. A next key of
 * another algorithm than TOKEN_SIGNING_ALGORITHM (the setting changed) is replaced: it never signed, so it is
 * simply retired, and the new one is published ahead of the rotation that makes it current.
 */
export async function ensureCurrentKid(usher: Usher, known?: string | null): Promise<string> {
  if (known) return known
  const slots = await usher.db
    .select({ kid: signingKeys.kid, slot: signingKeys.slot, algorithm: signingKeys.algorithm })
    .from(signingKeys)
    .where(isNotNull(signingKeys.slot))
  const current = slots.find((s) => s.slot === 'current')
  const next = slots.find((s) => s.slot === 'next')
  const staleNext = next && next.algorithm !== usher.config.signingAlgorithm ? next : undefined
  if (current && next && !staleNext) return current.kid
  const missing = (['current', 'next'] as const).filter((slot) => !slots.some((s) => s.slot === slot) || (slot === 'next' && staleNext))
  const rows = await Promise.all(missing.map((slot) => newKeyRow(usher, slot)))
  // Two isolates may race to create the keys: the UNIQUE slot lets one win; the other reads the winner.
  await runBatch(usher.db, [
    ...(staleNext
      ? [
          usher.db
            .update(signingKeys)
            .set({ slot: null, revokedAt: usher.now(), privateKey: null })
            .where(and(eq(signingKeys.kid, staleNext.kid), eq(signingKeys.slot, 'next'))),
        ]
      : []),
    ...rows.flatMap((row) => [
      insertKey(row),
      auditIfChanged(usher, { actor: 'system', action: 'signing-key.created', detail: { kid: row.kid, algorithm: row.algorithm, state: row.slot } }),
    ]),
  ])
  if (current) return current.kid
  const [winner] = await usher.db.select({ kid: signingKeys.kid }).from(signingKeys).where(eq(signingKeys.slot, 'current'))
  if (!winner) throw new Error('no current signing key after creating one')
  return winner.kid
}

/** The private key that signs now. `currentKid` is what the caller's own query read (undefined: read it). */
export async function currentSigner(usher: Usher, currentKid?: string | null): Promise<Signer> {
  const kid = await ensureCurrentKid(usher, currentKid)
  let signer = signers.get(kid)
  if (!signer) {
    signer = loadSigner(usher, kid)
    signers.set(kid, signer)
    signer.catch(() => signers.delete(kid))
  }
  return signer
}

async function loadSigner(usher: Usher, kid: string): Promise<Signer> {
  const row = await usher.db.select().from(signingKeys).where(eq(signingKeys.kid, kid)).get()
  if (!row?.privateKey) throw new Error(`signing key ${kid} has no private part (rotated meanwhile?)`)
  let jwk: JWK
  try {
    jwk = JSON.parse(await openSecret(usher.config.secrets.keyEncryptionKey, row.privateKey, kid)) as JWK
  } catch {
    console.error(
      `usher: cannot decrypt signing key ${kid}: KEY_ENCRYPTION_KEY is not the one it was sealed with. Run \`usher keys rotate\` to create a key under the current KEY_ENCRYPTION_KEY.`,
    )
    throw errors.internal()
  }
  return { kid, algorithm: row.algorithm, key: (await importJWK(jwk, row.algorithm)) as CryptoKey }
}

/** The public key for a kid, from a stored public JWK (cached per isolate: a kid's key never changes). */
export function verifierFor(kid: string, algorithm: SigningAlgorithm, publicJwk: Record<string, unknown>): Promise<CryptoKey> {
  let key = verifiers.get(kid)
  if (!key) {
    key = importJWK(publicJwk as JWK, algorithm) as Promise<CryptoKey>
    verifiers.set(kid, key)
    key.catch(() => verifiers.delete(kid))
  }
  return key
}

/** The verifier for a kid if this isolate already imported it (no database read). */
export function cachedVerifier(kid: string): Promise<CryptoKey> | undefined {
  return verifiers.get(kid)
}

/** One key row by kid (any state), for verification paths that did not get it from their own query. */
export function findKey(usher: Usher, kid: string): Promise<SigningKeyRow | undefined> {
  return usher.db.select().from(signingKeys).where(eq(signingKeys.kid, kid)).get()
}

/** The JWKS document: every accepted key's public part (never private material). */
export async function publishedKeys(usher: Usher): Promise<{ keys: Record<string, unknown>[] }> {
  await ensureCurrentKid(usher)
  const rows = await usher.db
    .select({ publicJwk: signingKeys.publicJwk })
    .from(signingKeys)
    .where(acceptedKey(usher.now()))
    .orderBy(desc(signingKeys.createdAt))
  return { keys: rows.map((row) => row.publicJwk) }
}

export interface KeyView {
  kid: string
  algorithm: SigningAlgorithm
  state: KeyState
  createdAt: string
  rotatedAt: string | null
  /** previous keys: when they stop being published and accepted on their own. */
  retiresAt: string | null
  revokedAt: string | null
}


export function keyView(row: SigningKeyRow, now: number): KeyView {
  return {
    kid: row.kid,
    algorithm: row.algorithm,
    state: keyState(row, now),
    createdAt: isoTime(row.createdAt)!,
    rotatedAt: isoTime(row.rotatedAt),
    retiresAt: row.revokedAt === null ? isoTime(row.retiresAt) : null,
    revokedAt: isoTime(row.revokedAt),
  }
}

const STATE_ORDER: Record<KeyState, number> = { current: 0, next: 1, previous: 2, retired: 3 }

/** Every key: current, next, then previous and retired ones newest first (creating the first keys if none). */
export async function listKeys(usher: Usher): Promise<KeyView[]> {
  await ensureCurrentKid(usher)
  const rows = await usher.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid))
  const now = usher.now()
  return rows.map((row) => keyView(row, now)).sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state])
}

export interface KeyRotation {
  /** The key that signs from now on. */
  current: KeyView
  /** The key that signed until now: previous (still accepted until `retiresAt`), or retired if revoked. */
  previous: KeyView
  /** The key published ahead for the following rotation. */
  next: KeyView
  /** Keys this rotation stopped publishing and accepting at once (`revokePrevious`). */
  revoked: KeyView[]
  /** Every key, newest first. */
  keys: KeyView[]
}

/**
 * Rotate: the next key (published since the last rotation) becomes current, the current key becomes previous
 * (published and accepted until its tokens have expired; its private part erased), and a new next key is
 * published. With `revokePrevious` (a key believed leaked), every stored key is retired at once and fresh
 * current and next keys take over. One batch, audited.
 */
export async function rotateKeys(
  usher: Usher,
  options: { revokePrevious: boolean },
  actor: Actor,
): Promise<KeyRotation> {
  const previousKid = await ensureCurrentKid(usher)
  const now = usher.now()
  const retiresAt = now + usher.config.accessTokenTtlSeconds * 1000 + ROTATION_MARGIN_MS
  const fresh = options.revokePrevious ? await newKeyRow(usher, 'current') : undefined
  const next = { ...(await newKeyRow(usher, 'next')), createdAt: now }
  // The first statement demotes the key this rotation read as current; everything after is conditional on
  // it, so a concurrent rotation makes this one change nothing (and it is reported as such).
  const demote = usher.db
    .update(signingKeys)
    .set(options.revokePrevious ? { slot: null, rotatedAt: now, revokedAt: now, privateKey: null } : { slot: null, rotatedAt: now, retiresAt, privateKey: null })
    .where(and(eq(signingKeys.kid, previousKid), eq(signingKeys.slot, 'current')))
  const statements = options.revokePrevious
    ? [
        demote,
        insertKey(fresh!, sql`changes() > 0`),
        // Every other published key (earlier ones, and the next one stored alongside) is retired at once.
        usher.db
          .update(signingKeys)
          .set({ slot: null, revokedAt: now, privateKey: null })
          .where(
            and(
              sql`${signingKeys.kid} <> ${fresh!.kid}`,
              isNull(signingKeys.revokedAt),
              or(eq(signingKeys.slot, 'next'), gt(signingKeys.retiresAt, now)),
              sql`changes() > 0`,
            ),
          ),
        insertKey(next, sql`EXISTS (SELECT 1 FROM ${signingKeys} WHERE ${signingKeys.kid} = ${fresh!.kid})`),
      ]
    : [
        demote,
        usher.db.update(signingKeys).set({ slot: 'current' }).where(and(eq(signingKeys.slot, 'next'), sql`changes() > 0`)),
        insertKey(next),
      ]
  const results = await runBatch(usher.db, [
    ...statements,
    rawStatement(sql`INSERT INTO ${auditLog} (at, actor, action, detail, outcome)
      SELECT ${now}, ${actor}, 'signing-key.rotated',
             json_object('kid', (SELECT ${signingKeys.kid} FROM ${signingKeys} WHERE ${signingKeys.slot} = 'current'),
                         'previousKid', ${previousKid}, 'nextKid', ${next.kid}, 'revokedPrevious', json(${options.revokePrevious ? 'true' : 'false'})), 'ok'
      WHERE EXISTS (SELECT 1 FROM ${signingKeys} WHERE ${signingKeys.kid} = ${next.kid})`),
  ])
  if (changes(results[0]) === 0 || changes(results[1]) === 0) {
    throw errors.refused('another rotation happened at the same moment: list the keys and retry')
  }
  const keys = await listKeys(usher)
  return {
    current: keys.find((k) => k.state === 'current')!,
    previous: keys.find((k) => k.kid === previousKid)!,
    next: keys.find((k) => k.state === 'next')!,
    revoked: keys.filter((k) => k.revokedAt !== null && k.revokedAt === isoTime(now)),
    keys,
  }
}
