/**
 * @module tui/cli/commands
 * The whole `usher` command tree, in the order help lists it.
 */
import type { CommandGroup } from '../command'
import { apiKeys } from './api-keys'
import { dashboard } from './dashboard'
import { audit, config, outbox } from './records'
import { users } from './users'

export const usher: CommandGroup = {
  summary: 'manage the users of an Usher deployment from the terminal',
  commands: { users, 'api-keys': apiKeys, audit, outbox, config, dashboard },
}
