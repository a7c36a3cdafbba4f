/**
 * @module dashboard/no-color
 * Honours `NO_COLOR` (https://no-color.org): Ink's colours come from chalk, which reads only `FORCE_COLOR`,
 * once, when it is first imported. Import this module before anything that imports ink. Glyphs carry every
 * state, so nothing is lost without colour.
 */
if (process.env.NO_COLOR && process.env.FORCE_COLOR === undefined) process.env.FORCE_COLOR = '0'

export {}
