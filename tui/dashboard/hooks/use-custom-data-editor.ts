/**
 * @module dashboard/hooks/use-custom-data-editor
 * `e` on a user: their custom data, pretty-printed, in the admin's editor (dashboard/editor.ts), then checked
 * before anything is sent, as k9s does with its resources: text that is not JSON, not an object or over
 * 4096 bytes is refused in the server's words with a question below the list — edit it again (the admin's
 * text is kept, never lost) or discard it; unchanged data is not sent at all; valid data is saved with
 * `users.setCustomData` and the banner says how many bytes. A save the server refuses asks the same question.
 */
import { useApp } from 'ink'
import { useRef } from 'react'
import type { UserItem } from '../../admin-client'
import { checkCustomData, prettyJson, type CustomData } from '../../custom-data'
import { userName, type ActionContext } from '../actions'
import type { DashboardClient } from '../client'
import { editorCommand, editText, type Environment } from '../editor'
import { classify, problemMessage } from '../problems'
import type { ActionRunner } from './use-action-runner'
import type { BannerHandle } from './use-banner'
import type { Overlay } from '../overlay'

export interface CustomDataEditor {
  /** `e` on `user`. */
  edit(user: UserItem): void
  /** Back into the editor with the admin's own text (after a problem). */
  again(): void
  /** Forget the admin's text (after a problem): nothing is saved. */
  discard(): void
}

export function useCustomDataEditor(options: {
  client: DashboardClient
  env: Environment
  context: ActionContext | undefined
  runner: ActionRunner
  banner: BannerHandle
  overlay: Overlay
  setOverlay(next: Overlay): void
}): CustomDataEditor {
  const { suspendTerminal } = useApp()
  const latest = useRef(options)
  latest.current = options
  const editing = useRef(false)

  /** One round in the editor, from `text`, and what follows from what comes back. */
  async function round(user: UserItem, original: CustomData, text: string) {
    const { env, banner, setOverlay, runner, client } = latest.current
    const name = userName(user)
    setOverlay({ type: 'editing', name })
    banner.show('progress', `Editing the custom data of ${name} in ${editorCommand(env)}…`)
    const edited = await editText(text, { env, suspend: suspendTerminal, fileName: `custom-data-${user.id}.json` })
    const { banner: after } = latest.current
    if (!edited.ok) {
      setOverlay({ type: 'none' })
      return after.show('failure', `Could not edit the custom data of ${name}: ${edited.problem}; nothing was saved`)
    }
    const checked = checkCustomData(edited.text)
    if (!checked.ok) {
      after.clear()
      return setOverlay({ type: 'data-problem', problem: { user, original, text: edited.text, problem: checked.problem } })
    }
    if (JSON.stringify(checked.data) === JSON.stringify(original)) {
      setOverlay({ type: 'none' })
      return after.show('notice', `No change to the custom data of ${name}: nothing was sent`)
    }
    setOverlay({ type: 'none' })
    const saved = await runner.run(`Saving the custom data of ${name}`, async () => {
      await client.users.setCustomData.mutate({ userId: user.id, data: checked.data })
      return `Custom data of ${name} saved (${checked.bytes} bytes)`
    })
    if (!saved) {
      const problem = 'the server did not save it (its reason is below)'
      latest.current.setOverlay({ type: 'data-problem', problem: { user, original, text: edited.text, problem } })
    }
  }

  /** Run one round at a time; a failure to start never escapes into the terminal app. */
  function start(work: () => Promise<void>) {
    if (editing.current) return
    editing.current = true
    work()
      .catch((error: unknown) => {
        latest.current.setOverlay({ type: 'none' })
        latest.current.banner.show('failure', `Editing the custom data failed: ${problemMessage(classify(error))}`)
      })
      .finally(() => {
        editing.current = false
      })
  }

  function edit(user: UserItem) {
    const { context, client, banner } = latest.current
    start(async () => {
      const loaded = context?.details?.id === user.id ? context.details : undefined
      if (!loaded) banner.show('progress', `Opening the custom data of ${userName(user)}…`)
      const original = loaded?.customData ?? (await client.users.get.query({ userId: user.id })).customData
      await round(user, original, prettyJson(original) + '\n')
    })
  }

  function again() {
    const { overlay } = latest.current
    if (overlay.type !== 'data-problem') return
    const { user, original, text } = overlay.problem
    start(() => round(user, original, text))
  }

  function discard() {
    const { overlay, setOverlay, banner } = latest.current
    if (overlay.type !== 'data-problem') return
    setOverlay({ type: 'none' })
    banner.show('notice', `Discarded the edit: the custom data of ${userName(overlay.problem.user)} is unchanged`)
  }

  return { edit, again, discard }
}
