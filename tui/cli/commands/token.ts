/**
 * @module tui/cli/commands/token
 * `usher token verify`: what Usher makes of an access token (signature, issuer, audience, expiry, signing
 * key, session and user, in the same check every request gets). The answer is a value, not an error: a token
 * that is not live prints why and exits 1, so scripts can branch on the exit code.
 */
import type { TokenCheck } from '../../admin-client'
import { apiCommand, type CommandGroup } from '../command'
import { fields, shortDate } from '../format'

/** Claims that are NumericDate seconds: shown with the date they mean. */
const TIMES = new Set(['iat', 'exp', 'nbf'])

function claim(name: string, value: unknown): string {
  if (typeof value === 'number' && TIMES.has(name)) {
    return `${value} (${shortDate(new Date(value * 1000).toISOString())})`
  }
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function renderCheck(check: TokenCheck): string {
  if (check.status !== 'live') return `✗ ${check.status}: ${check.message}`
  const claims = Object.entries(check.claims).map(([name, value]) => [name, claim(name, value)] as const)
  return `✓ live: ${check.message}\n\n${fields(claims)}`
}

export const token: CommandGroup = {
  summary: 'check access tokens',
  commands: {
    verify: apiCommand({
      summary: 'is an access token live? if not, why',
      details:
        'Exit status: 0 when the token is live; 1 when it is expired, revoked or invalid (the reason is printed on stdout, or in the JSON) or the check could not be made (one line on stderr); 2 for a usage mistake.',
      args: [
        {
          name: 'token',
          kind: 'text',
          description: 'the access token; `-` reads it from stdin (keeps it out of shell history and `ps`)',
        },
      ],
      examples: [
        'usher token verify - < access-token.txt',
        'usher token verify - --json <<< "$TOKEN" | jq .claims.sub',
      ],
      run: async ({ client, args, readStdin }) =>
        client.users.verifyToken.mutate({ token: args.token === '-' ? await readStdin() : args.token! }),
      render: renderCheck,
      exitCode: (check) => (check.status === 'live' ? 0 : 1),
    }),
  },
}
