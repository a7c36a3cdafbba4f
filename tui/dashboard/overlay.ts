/**
 * @module dashboard/overlay
 * What covers the list at a given moment (a prompt, a form, the help, the editor…): the state the dashboard's
 * hooks and key hints share, in a module of its own so none of them imports the dashboard hook for it.
 */
import type { UserItem } from '../admin-client'
import type { CustomData } from '../custom-data'
import type { Confirmation, Consent } from './actions'

/** The question after an edit that could not be saved: the admin's text, kept for another try. */
export interface DataProblem {
  user: UserItem
  /** The data before the edit (what "unchanged" means). */
  original: CustomData
  text: string
  problem: string
}

export type Overlay =
  | { type: 'none' }
  | { type: 'search' }
  | { type: 'help' }
  | { type: 'confirm'; confirmation: Confirmation; proceed(consent: Consent): void }
  | { type: 'new-user' }
  | { type: 'new-key'; name: string; error: string | undefined }
  /** A user's new email address, as typed so far. */
  | { type: 'change-email'; user: UserItem; email: string; error: string | undefined }
  | { type: 'secret'; name: string; key: string }
  /** A user's custom data is open in the admin's editor, which has the terminal. */
  | { type: 'editing'; name: string }
  | { type: 'data-problem'; problem: DataProblem }
