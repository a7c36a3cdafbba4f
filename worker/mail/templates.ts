/**
 * @module mail/templates
 * The texts of the mails Usher sends. Plain text: they must survive every client and spam filter.
 */
import type { Mail } from './mailer'

export function confirmationMail(appId: string, to: string, subject: string, link: string): Mail {
  return {
    to,
    subject,
    link,
    text: [
      `Confirm the email address of your ${appId} account by opening this link:`,
      '',
      link,
      '',
      'The link is valid for 30 minutes. If you did not sign up, ignore this mail: nothing happens without it.',
    ].join('\n'),
  }
}

export function resetMail(appId: string, to: string, subject: string, link: string): Mail {
  return {
    to,
    subject,
    link,
    text: [
      `Someone asked to reset the password of your ${appId} account. To choose a new password, open:`,
      '',
      link,
      '',
      'The link is valid for 30 minutes. If it was not you, ignore this mail: your password stays as it is.',
    ].join('\n'),
  }
}

/** Sent to the old address when an admin gives the account a new one: the owner hears of it either way. */
export function emailChangedMail(appId: string, to: string, newEmail: string): Mail {
  return {
    to,
    subject: `The email address of your ${appId} account changed`,
    text: [
      `The email address of your ${appId} account was changed from ${to} to ${newEmail} by an administrator.`,
      '',
      'From now on you log in with the new address; your password stays as it was.',
      'If you did not ask for this, contact the app’s support: this address no longer reaches the account.',
    ].join('\n'),
  }
}

/** Sent instead of a confirmation when someone registers an address that already has an account. */
export function passwordSetupMail(appId: string, to: string, link: string, validHours: number): Mail {
  return {
    to,
    subject: `Set a password for your ${appId} account`,
    link,
    text: [
      `Your ${appId} account has moved. To keep using it, choose a password by opening this link:`,
      '',
      link,
      '',
      `The link is valid for ${validHours} hours. Your account, its data and its email address stay as they were.`,
    ].join('\n'),
  }
}

export function accountExistsMail(appId: string, to: string): Mail {
  return {
    to,
    subject: `Your ${appId} account`,
    text: [
      `Someone tried to create a ${appId} account with this email address, which already has one.`,
      '',
      'If it was you: log in with your password, or reset it if you forgot it.',
      'If it was not you: nothing changed, and you can ignore this mail.',
    ].join('\n'),
  }
}
