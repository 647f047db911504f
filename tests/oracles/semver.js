// tests/oracles/semver.js: node-semver's ordering, for tests/integration/versions.sh.
// Usage: node semver.js SEMVER_MODULE_DIR [go] < pairs
// Reads "A<TAB>B" lines and prints "<", "=", ">" (semver.compare) or "!" when
// semver.valid() rejects either side. With "go", a leading "v" is removed and a
// trailing "+incompatible" dropped first (Go module versions, pseudo-versions
// are ordinary prereleases).
'use strict'
const fs = require('fs')
const semver = require(process.argv[2])
const go = process.argv[3] === 'go'
const input = fs.readFileSync(0, 'utf8')
const lines = input.split('\n')
if (lines.length && lines[lines.length - 1] === '') lines.pop()
const fix = (s) => {
  if (!go) return s
  if (s.startsWith('v')) s = s.slice(1)
  if (s.endsWith('+incompatible')) s = s.slice(0, -'+incompatible'.length)
  return s
}
const out = []
for (const line of lines) {
  const tab = line.indexOf('\t')
  const a = fix(line.slice(0, tab))
  const b = fix(line.slice(tab + 1))
  if (semver.valid(a) === null || semver.valid(b) === null) {
    out.push('!')
    continue
  }
  const r = semver.compare(a, b)
  out.push(r < 0 ? '<' : r > 0 ? '>' : '=')
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))
