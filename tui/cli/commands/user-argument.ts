/**
 * @module tui/cli/commands/user-argument
 * The `<id>` argument every `usher users …` command that acts on one user takes, and how their output names
 * a user (by email when they have one, always with the id a script can reuse), even when the procedure
 * answers with the id alone (`withEmail`).
 */
import type { AdminClient, UserDetails, UserItem } from '../../admin-client'
import type { ArgumentSpec, Invocation } from '../command'
import { printable } from '../format'

export const USER_ID: ArgumentSpec = {
  name: 'id',
  kind: 'user-id',
  description:
    "the user's id, as `usher users list` shows: 24 hexadecimal characters, or an imported user's kept id (1–128 letters, digits, _ or -)",
}

/** Declared arguments are always present once parsing succeeded. */
export const userId = (invocation: Invocation) => invocation.args.id!

export const displayName = (user: Pick<UserItem, 'email' | 'type'>) =>
  user.email ?? (user.type === 'server' ? '(server user)' : '(no email)')

/** `ada@example.com (65f0…)`, or `user 65f0…` without an email. */
export const who = (user: Pick<UserItem, 'email' | 'id'>) =>
  user.email ? `${printable(user.email)} (${user.id})` : `user ${user.id}`

/**
 * The user as they are before an action; undefined when the lookup fails, so the action runs anyway and its
 * own refusal ("user not found", the connection…) is what the person reads.
 */
export const lookUpUser = (client: AdminClient, userId: string): Promise<UserDetails | undefined> =>
  client.users.get.query({ userId }).catch(() => undefined)

/**
 * Run an action whose answer names the user by id only (deleting them, revoking their sessions) and add their
 * address, looked up first: after a deletion there is nobody left to look up. `--json` shows it too.
 */
export async function withEmail<Result extends object>(
  client: AdminClient,
  userId: string,
  action: (before: UserDetails | undefined) => Promise<Result>,
): Promise<Result & { userId: string; email: string | null }> {
  const before = await lookUpUser(client, userId)
  return { ...(await action(before)), userId, email: before?.email ?? null }
}

/** `who` for an answer that carries `userId` and `email` (see `withEmail`). */
export const whoById = (answer: { userId: string; email: string | null }) => who({ id: answer.userId, email: answer.email })
