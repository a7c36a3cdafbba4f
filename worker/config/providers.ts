/**
 * @module config/providers
 * The login providers a deployment enables (AUTH_PROVIDERS) and each one's settings, parsed and validated
 * with the rest of the configuration (config/index.ts), so a provider switched on without what it needs
 * refuses to start with the reason. Pure, like the rest of the configuration.
 *
 * Endpoints default to the real services (Google's and Apple's OpenID issuers, Facebook's Graph API) and can
 * point elsewhere: the tests run a real OpenID Provider on a loopback port as "Google" and "Apple".
 */
import { z } from 'zod'
import { PROVIDER_TYPES, type ProviderType } from '../db/schema'
import { isLoopbackHost } from './loopback'

const DEFAULT_PROVIDERS: ProviderType[] = ['local-userpass', 'anon-user', 'api-key']

/** One `metadata_fields` entry of the custom JWT provider (App Services' shape). */
export interface MetadataField {
  required: boolean
  /** Dot path into the JWT payload; `\.` is a literal dot. */
  path: string[]
  /** Where the value lands in the user's data. */
  fieldName: string
}

export interface ProvidersConfig {
  enabled: ReadonlySet<ProviderType>
  customJwt: {
    algorithm: 'HS256' | 'RS256'
    /** Expected audiences (empty setting = the APP_ID). */
    audiences: string[]
    /** false: the token must carry every audience; true: any one of them (App Services semantics). */
    requireAnyAudience: boolean
    jwkUri?: string
    metadataFields: MetadataField[]
    /** HS256 secrets or RS256 public keys (PEM), up to three. */
    signingKeys: string[]
  }
  customFunction: { url?: string }
  google: { clientId?: string; clientSecret?: string; issuer: string; authCodeRedirectUri: string }
  apple: { clientIds: string[]; issuer: string; teamId?: string; keyId?: string; privateKey?: string }
  facebook: { appId?: string; appSecret?: string; graphUrl: string; dialogUrl: string }
  /** Where the OAuth redirect flow may send users back (exact URLs). */
  redirectUrls: string[]
}

/** https, or plain http on a loopback address (local tests and development only). */
const endpoint = (fallback: string) =>
  z
    .string()
    .trim()
    .default('')
    .transform((s) => (s || fallback).replace(/\/+$/, ''))
    .refine(
      (s) => URL.canParse(s) && (new URL(s).protocol === 'https:' || (new URL(s).protocol === 'http:' && isLoopbackHost(new URL(s).hostname))),
      'must be an https:// URL (plain http only on localhost)',
    )
const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
const optional = z
  .string()
  .trim()
  .default('')
  .transform((s) => s || undefined)

/** `a.b\.c` → ['a', 'b.c'] */
function splitPath(name: string): string[] {
  return name.split(/(?<!\\)\./).map((part) => part.replaceAll('\\.', '.'))
}

const metadataFields = z
  .string()
  .default('[]')
  .transform((text, context) => {
    try {
      return JSON.parse(text || '[]') as unknown
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON array of {required, name, field_name}' })
      return z.NEVER
    }
  })
  .pipe(
    z
      .array(
        z.strictObject({
          required: z.boolean().default(false),
          name: z.string().min(1).max(256),
          field_name: z.string().min(1).max(63).optional(),
        }),
      )
      .max(50),
  )
  .transform((fields) =>
    fields.map((field): MetadataField => {
      const path = splitPath(field.name)
      return { required: field.required, path, fieldName: field.field_name ?? path.at(-1)! }
    }),
  )

export const providersSchema = z.object({
  AUTH_PROVIDERS: list.pipe(z.array(z.enum(PROVIDER_TYPES, { error: `must list providers among ${PROVIDER_TYPES.join(', ')}` }))),
  CUSTOM_JWT_SIGNING_ALGORITHM: z.enum(['HS256', 'RS256']).default('HS256'),
  CUSTOM_JWT_AUDIENCE: list,
  CUSTOM_JWT_REQUIRE_ANY_AUDIENCE: z.enum(['true', 'false']).default('false'),
  CUSTOM_JWT_JWK_URI: z.string().trim().default(''),
  CUSTOM_JWT_METADATA_FIELDS: metadataFields,
  CUSTOM_JWT_SIGNING_KEYS: z.string().default(''),
  CUSTOM_FUNCTION_URL: z.string().trim().default(''),
  GOOGLE_CLIENT_ID: optional,
  GOOGLE_CLIENT_SECRET: optional,
  GOOGLE_OPENID_ISSUER: endpoint('https://accounts.google.com'),
  GOOGLE_AUTH_CODE_REDIRECT_URI: z.string().trim().default('postmessage'),
  APPLE_CLIENT_ID: list,
  APPLE_OPENID_ISSUER: endpoint('https://appleid.apple.com'),
  APPLE_TEAM_ID: optional,
  APPLE_KEY_ID: optional,
  APPLE_PRIVATE_KEY: optional,
  FACEBOOK_APP_ID: optional,
  FACEBOOK_APP_SECRET: optional,
  FACEBOOK_GRAPH_URL: endpoint('https://graph.facebook.com/v25.0'),
  FACEBOOK_DIALOG_URL: endpoint('https://www.facebook.com/v25.0/dialog/oauth'),
  OAUTH_REDIRECT_URLS: list,
})

type Parsed = z.infer<typeof providersSchema>

/** Split the signing-keys secret: PEM blocks whole, secrets by commas; at most three. */
function signingKeys(text: string): string[] {
  const pems = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g)
  if (pems) return pems
  return text
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean)
}

/** Turn the parsed settings into `ProvidersConfig`, listing what an enabled provider lacks. */
export function providersConfig(
  v: Parsed,
  context: { appId: string; functionSecret?: string; hasBinding: (name: string) => boolean },
): { config: ProvidersConfig; problems: string[] } {
  const problems: string[] = []
  const enabled = new Set<ProviderType>(v.AUTH_PROVIDERS.length > 0 ? v.AUTH_PROVIDERS : DEFAULT_PROVIDERS)
  const on = (provider: ProviderType) => enabled.has(provider)
  const keys = signingKeys(v.CUSTOM_JWT_SIGNING_KEYS)
  const needs = (provider: ProviderType, what: string) => problems.push(`AUTH_PROVIDERS includes ${provider}, which needs ${what}`)

  if (on('custom-token')) {
    if (keys.length > 3) problems.push('CUSTOM_JWT_SIGNING_KEYS holds at most three keys')
    if (v.CUSTOM_JWT_JWK_URI && v.CUSTOM_JWT_SIGNING_ALGORITHM !== 'RS256') {
      problems.push('CUSTOM_JWT_JWK_URI works with CUSTOM_JWT_SIGNING_ALGORITHM=RS256 only')
    }
    if (v.CUSTOM_JWT_JWK_URI && !endpoint('').safeParse(v.CUSTOM_JWT_JWK_URI).success) {
      problems.push('CUSTOM_JWT_JWK_URI must be an https:// URL (plain http only on localhost)')
    }
    if (!v.CUSTOM_JWT_JWK_URI && keys.length === 0) {
      needs('custom-token', 'the CUSTOM_JWT_SIGNING_KEYS secret (HS256 secrets or RS256 PEM public keys) or CUSTOM_JWT_JWK_URI')
    }
    if (v.CUSTOM_JWT_SIGNING_ALGORITHM === 'HS256' && keys.some((key) => key.length < 32 || key.startsWith('-----BEGIN'))) {
      problems.push('CUSTOM_JWT_SIGNING_KEYS for HS256 must be secrets of at least 32 characters')
    }
    if (v.CUSTOM_JWT_SIGNING_ALGORITHM === 'RS256' && !v.CUSTOM_JWT_JWK_URI && keys.some((key) => !key.includes('PUBLIC KEY'))) {
      problems.push('CUSTOM_JWT_SIGNING_KEYS for RS256 must be PEM public keys (-----BEGIN PUBLIC KEY-----)')
    }
  }
  if (on('custom-function')) {
    if (!v.CUSTOM_FUNCTION_URL && !context.hasBinding('CUSTOM_FUNCTION')) {
      needs('custom-function', 'CUSTOM_FUNCTION_URL (an https webhook) or a service binding named CUSTOM_FUNCTION')
    }
    if (v.CUSTOM_FUNCTION_URL && !endpoint('').safeParse(v.CUSTOM_FUNCTION_URL).success) {
      problems.push('CUSTOM_FUNCTION_URL must be an https:// URL (plain http only on localhost)')
    }
    if (v.CUSTOM_FUNCTION_URL && !context.functionSecret) {
      problems.push('CUSTOM_FUNCTION_URL needs the FUNCTION_SECRET secret to sign webhook calls')
    }
  }
  if (on('oauth2-google') && !v.GOOGLE_CLIENT_ID) needs('oauth2-google', 'GOOGLE_CLIENT_ID')
  if (on('oauth2-apple') && v.APPLE_CLIENT_ID.length === 0) needs('oauth2-apple', 'APPLE_CLIENT_ID (bundle and services ids)')
  if (on('oauth2-facebook') && (!v.FACEBOOK_APP_ID || !v.FACEBOOK_APP_SECRET)) {
    needs('oauth2-facebook', 'FACEBOOK_APP_ID and the FACEBOOK_APP_SECRET secret')
  }
  for (const url of v.OAUTH_REDIRECT_URLS) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      problems.push(`OAUTH_REDIRECT_URLS entry "${url}" is not an absolute http(s) URL`)
    }
  }

  return {
    problems,
    config: {
      enabled,
      customJwt: {
        algorithm: v.CUSTOM_JWT_SIGNING_ALGORITHM,
        audiences: v.CUSTOM_JWT_AUDIENCE.length > 0 ? v.CUSTOM_JWT_AUDIENCE : [context.appId],
        requireAnyAudience: v.CUSTOM_JWT_REQUIRE_ANY_AUDIENCE === 'true',
        jwkUri: v.CUSTOM_JWT_JWK_URI || undefined,
        metadataFields: v.CUSTOM_JWT_METADATA_FIELDS,
        signingKeys: keys,
      },
      customFunction: { url: v.CUSTOM_FUNCTION_URL || undefined },
      google: {
        clientId: v.GOOGLE_CLIENT_ID,
        clientSecret: v.GOOGLE_CLIENT_SECRET,
        issuer: v.GOOGLE_OPENID_ISSUER,
        authCodeRedirectUri: v.GOOGLE_AUTH_CODE_REDIRECT_URI,
      },
      apple: {
        clientIds: v.APPLE_CLIENT_ID,
        issuer: v.APPLE_OPENID_ISSUER,
        teamId: v.APPLE_TEAM_ID,
        keyId: v.APPLE_KEY_ID,
        privateKey: v.APPLE_PRIVATE_KEY,
      },
      facebook: {
        appId: v.FACEBOOK_APP_ID,
        appSecret: v.FACEBOOK_APP_SECRET,
        graphUrl: v.FACEBOOK_GRAPH_URL,
        dialogUrl: v.FACEBOOK_DIALOG_URL,
      },
      redirectUrls: v.OAUTH_REDIRECT_URLS,
    },
  }
}

/** The providers a public view may show (secrets replaced by whether they are set). */
export function publicProviders(config: ProvidersConfig) {
  const { customJwt, google, apple, facebook, ...rest } = config
  return {
    ...rest,
    enabled: [...config.enabled],
    customJwt: { ...customJwt, signingKeys: customJwt.signingKeys.length },
    google: { ...google, clientSecret: google.clientSecret !== undefined },
    apple: { ...apple, privateKey: apple.privateKey !== undefined },
    facebook: { ...facebook, appSecret: facebook.appSecret !== undefined },
  }
}

