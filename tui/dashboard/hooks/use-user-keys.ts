/**
 * @module dashboard/hooks/use-user-keys
 * The selected user's API keys as a second, short list inside their details: `a` moves into it, ↑↓ choose a
 * key for d / u / x, and Esc (or `a`) comes back to the users. The keys are the ones `users.get` returned, so
 * they reload with the details after every action; the choice is kept by position, within the list.
 */
import { useState } from 'react'
import type { UserDetails, UserItem } from '../../admin-client'
import type { UserKey } from '../key-actions'

export interface UserKeysHandle {
  /** The admin is in the user's key list (whose keys may still be loading). */
  active: boolean
  /** The chosen key's position, while active and there is one. */
  index: number | undefined
  /** The chosen key with its owner. */
  selected: UserKey | undefined
  enter(): void
  leave(): void
  move(by: 1 | -1): void
}

/** `details` counts only while it is the details of `user`; `open`: the details pane is open. */
export function useUserKeys(
  user: UserItem | undefined,
  details: UserDetails | undefined,
  open: boolean,
): UserKeysHandle {
  const [focus, setFocus] = useState<{ userId: string; index: number } | undefined>(undefined)
  const active = open && user !== undefined && focus?.userId === user.id
  const keys = user && details?.id === user.id ? details.apiKeys : []
  const index = active && keys.length > 0 ? Math.min(focus.index, keys.length - 1) : undefined
  const key = index === undefined ? undefined : keys[index]
  return {
    active,
    index,
    selected: user && key ? { user, key } : undefined,
    enter: () => user && setFocus({ userId: user.id, index: 0 }),
    leave: () => setFocus(undefined),
    move(by) {
      if (user && index !== undefined) {
        setFocus({ userId: user.id, index: Math.max(0, Math.min(index + by, keys.length - 1)) })
      }
    },
  }
}
