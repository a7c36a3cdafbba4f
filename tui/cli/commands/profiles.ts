/**
 * @module tui/cli/commands/profiles
 * `usher profiles …`: the saved deployments `--profile <name>` (or `$USHER_PROFILE`) picks the URL and admin
 * key from (tui/profiles.ts). Local commands: they read and write this machine's profile file and never
 * contact Usher. Admin keys are never printed; `add` takes one from `--admin-key -` (stdin) or asks for it
 * without echo.
 */
import {
  displayPath,
  profileNameProblem,
  profilesPath,
  readProfiles,
  removeProfile,
  saveProfile,
} from '../../profiles'
import { localCommand, type ArgumentSpec, type CommandGroup, type LocalContext } from '../command'
import { CommandError, UsageError } from '../failure'
import { printable, table } from '../format'

const NAME: ArgumentSpec[] = [{ name: 'name', description: 'the profile, e.g. production', kind: 'text' }]

function profileName(context: LocalContext, command: string): string {
  const name = context.args.name!
  const problem = profileNameProblem(name)
  if (problem) throw new UsageError(problem, ['profiles', command])
  return name
}

/** The profile file for this run, as people read it (`~/.config/usher/profiles.json`). */
const fileOf = (context: LocalContext) => profilesPath(context.env)
const shown = (context: LocalContext) => displayPath(fileOf(context), context.env)

function originOf(url: string | undefined): string {
  if (url === undefined)
    throw new UsageError('missing --url <url>: the deployment, e.g. https://auth.example.com', [
      'profiles',
      'add',
    ])
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`--url "${url}" is not an http(s) URL like https://auth.example.com`, [
      'profiles',
      'add',
    ])
  }
  return url.replace(/\/+$/, '')
}

async function adminKeyOf(context: LocalContext, name: string): Promise<string> {
  const given = context.connection.adminKey
  const key = (
    given === '-'
      ? await context.readStdin()
      : (given ?? (await context.askSecret(`Admin key for profile "${name}" (not shown): `)))
  ).trim()
  if (!key) throw new CommandError('no admin key given: nothing was saved')
  return key
}

export const profiles: CommandGroup = {
  summary: 'saved deployments for --profile: list, add, remove',
  commands: {
    list: localCommand({
      summary: 'list saved profiles: names and URLs (never keys)',
      run: async (context) => ({
        file: fileOf(context),
        profiles: Object.entries(readProfiles(fileOf(context))).map(([name, profile]) => ({
          name,
          url: profile.url,
          adminKey: profile.adminKey ? 'saved' : 'none',
        })),
      }),
      render: ({ file, profiles }) =>
        profiles.length === 0
          ? `no profiles in ${file} (add one with \`usher profiles add <name> --url <url>\`)`
          : `${table(profiles, [
              { header: 'name', value: (profile) => profile.name },
              { header: 'url', value: (profile) => profile.url },
              { header: 'admin key', value: (profile) => profile.adminKey },
            ])}\n\nin ${file}; use one with \`usher --profile <name> …\``,
    }),
    add: localCommand({
      summary: 'save a deployment (URL and admin key) as a profile',
      details:
        'Takes the deployment from --url (required) and its admin key from --admin-key <key>, --admin-key - (stdin) or, without either, asks for it without echo. Replaces a profile of the same name; the file is written with mode 0600.',
      args: NAME,
      examples: [
        'usher profiles add production --url https://auth.example.com',
        'pass show usher/admin-key | usher profiles add production --url https://auth.example.com --admin-key -',
      ],
      run: async (context) => {
        const name = profileName(context, 'add')
        const url = originOf(context.connection.url)
        const adminKey = await adminKeyOf(context, name)
        const replaced = saveProfile(name, { url, adminKey }, fileOf(context))
        return { name, url, file: fileOf(context), replaced: replaced?.url ?? null }
      },
      render: ({ name, url, replaced }) =>
        `✓ saved profile "${name}": ${printable(url)}${replaced === null ? '' : ` (it was ${printable(replaced)})`}\n\nUse it with \`usher --profile ${name} users list\` or \`usher dashboard --profile ${name}\`.`,
    }),
    remove: localCommand({
      summary: 'forget a saved profile and its admin key',
      details:
        'Only this machine forgets it: the deployment and its key are not changed. Asks first unless --yes.',
      args: NAME,
      confirm: async (context) => {
        const name = profileName(context, 'remove')
        const saved = readProfiles(fileOf(context))
        const profile = Object.hasOwn(saved, name) ? saved[name] : undefined
        if (!profile) throw new CommandError(`no profile "${name}" in ${shown(context)}`)
        return `Remove profile "${name}" (${printable(profile.url)}) and its admin key from ${shown(context)}? [y/N] `
      },
      run: async (context) => {
        const name = profileName(context, 'remove')
        const removed = removeProfile(name, fileOf(context))
        if (!removed) throw new CommandError(`no profile "${name}" in ${shown(context)}`)
        return { name, url: removed.url }
      },
      render: ({ name, url }) => `✓ removed profile "${name}" (${printable(url)})`,
    }),
  },
}
