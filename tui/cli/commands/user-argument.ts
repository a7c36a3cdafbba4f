/**
 * @module tui/cli/commands/user-argument
 * The `<id>` argument every `usher users …` command that acts on one user takes, and how their output names
 * a user (by email when they have one, always with the id a script can reuse).
 */
import type { UserItem } from '../../admin-client'
import { ID_ARGUMENT, type Invocation } from '../command'
import { printable } from '../format'

export const USER_ID = ID_ARGUMENT("the user's id (24 hexadecimal characters, as `usher users list` shows)")

/** Declared arguments are always present once parsing succeeded. */
export const userId = (invocation: Invocation) => invocation.args.id!

export const displayName = (user: Pick<UserItem, 'email' | 'type'>) =>
  user.email ?? (user.type === 'server' ? '(server user)' : '(no email)')

/** `ada@example.com (65f0…)`, or `user 65f0…` without an email. */
export const who = (user: Pick<UserItem, 'email' | 'id'>) =>
  user.email ? `${printable(user.email)} (${user.id})` : `user ${user.id}`
