/**
 * @module tui/cli/commands
 * The whole `usher` command tree, in the order help lists it.
 */
import type { CommandGroup } from '../command'
import { apiKeys } from './api-keys'
import { dashboard } from './dashboard'
import { exportUsers } from './export'
import { importUsers } from './import'
import { events } from './events'
import { keys } from './keys'
import { profiles } from './profiles'
import { audit, config, outbox } from './records'
import { token } from './token'
import { users } from './users'

export const usher: CommandGroup = {
  summary: 'manage the users of an Usher deployment from the terminal',
  commands: { users, import: importUsers, export: exportUsers, 'api-keys': apiKeys, keys, token, events, audit, outbox, config, dashboard, profiles },
}
