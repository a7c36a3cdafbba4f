/**
 * A real editor for the dashboard's `e`: a shell script, run by the dashboard as $EDITOR through /bin/sh like
 * any editor, that keeps what it was given (`seen(n)`: the file as the n-th run found it) and writes the text
 * the test chose for that run, or leaves the file alone (null), then exits with the chosen status.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'

const SCRIPT = `#!/bin/sh
dir=$(dirname "$0")
n=$(($(cat "$dir/runs" 2>/dev/null || echo 0) + 1))
echo "$n" > "$dir/runs"
cp "$1" "$dir/seen.$n"
if [ -f "$dir/write.$n" ]; then cp "$dir/write.$n" "$1"; fi
exit "$(cat "$dir/status.$n" 2>/dev/null || echo 0)"
`

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

export interface EditorRun {
  /** What the editor writes into the file (null: it leaves it as it was). */
  write: string | null
  /** Its exit status (default 0). */
  status?: number
}

export function scriptedEditor(runs: EditorRun[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-editor-'))
  made.push(dir)
  const script = path.join(dir, 'editor.sh')
  writeFileSync(script, SCRIPT)
  chmodSync(script, 0o755)
  runs.forEach((run, index) => {
    if (run.write !== null) writeFileSync(path.join(dir, `write.${index + 1}`), run.write)
    if (run.status !== undefined) writeFileSync(path.join(dir, `status.${index + 1}`), String(run.status))
  })
  return {
    /** The environment to give the dashboard: $EDITOR is the script ($VISUAL unset). */
    env: { ...process.env, VISUAL: undefined, EDITOR: script },
    /** How many times the editor ran. */
    runs: () => (existsSync(path.join(dir, 'runs')) ? Number(readFileSync(path.join(dir, 'runs'), 'utf8')) : 0),
    /** The file as the n-th run (from 1) found it. */
    seen: (n: number) => readFileSync(path.join(dir, `seen.${n}`), 'utf8'),
  }
}
