#!/bin/sh
# Write the man pages (roff) from the tool's own help, so each page says
# exactly what `ltuya CMD --help` says and a new subcommand gets its page
# without editing anything here: ltuya(1) from ltuya.1.in with the command
# list of `ltuya --help`, and ltuya-CMD(1) from `ltuya CMD --help`.
# Usage: gen.sh LTUYA TEMPLATE OUTDIR
set -eu
ltuya=$1 template=$2 out=$3
mkdir -p "$out"
rm -f "$out"/*.1
version=$("$ltuya" --version | sed 's/^ltuya //; s/ .*//')
# the date of the release, not of the build (reproducible): SOURCE_DATE_EPOCH if set
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)

# help text as roff: no fill, backslashes escaped, no line read as a request
roff_literal() {
  printf '.nf\n'
  sed -e 's/[[:space:]]*$//' -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'
  printf '.fi\n'
}

"$ltuya" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) *\(.*\)$/\1 \2/p' |
  grep -v -e '^help ' -e '^version ' >"$out/commands.txt"

: >"$out/commands.roff"
: >"$out/seealso.roff"
while read -r cmd summary; do
  summary_roff=$(printf '%s' "$summary" | sed -e 's/\\/\\e/g' -e 's/-/\\-/g')
  printf '.TP\n.B %s\n%s (\\fBltuya\\-%s\\fR(1))\n' "$cmd" "$summary_roff" "$cmd" >>"$out/commands.roff"
  printf '.BR ltuya\\-%s (1),\n' "$cmd" >>"$out/seealso.roff"
  {
    printf '.TH LTUYA\\-%s 1 "%s" "ltuya %s" "User Commands"\n' "$(echo "$cmd" | tr a-z A-Z)" "$date" "$version"
    printf '.SH NAME\nltuya\\-%s \\- %s\n' "$cmd" "$summary_roff"
    printf '.SH DESCRIPTION\nThe text of\n.B ltuya %s \\-\\-help\n(also\n.BR "ltuya help %s" ):\n.PP\n' "$cmd" "$cmd"
    "$ltuya" "$cmd" --help | roff_literal
    printf '.SH SEE ALSO\n.BR ltuya (1)\n'
  } >"$out/ltuya-$cmd.1"
done <"$out/commands.txt"
printf 'the project'"'"'s README and docs/cli.md\n' >>"$out/seealso.roff"

sed -e "s/@DATE@/$date/" -e "s/@VERSION@/$version/" "$template" |
  awk -v cmds="$out/commands.roff" -v see="$out/seealso.roff" '
    $0 == "@COMMANDS@" { while ((getline l < cmds) > 0) print l; next }
    $0 == "@SEEALSO@" { while ((getline l < see) > 0) print l; next }
    { print }' >"$out/ltuya.1"
rm -f "$out/commands.txt" "$out/commands.roff" "$out/seealso.roff"
