# Reads tests/golden/commands; sourced by tests/golden/make_golden.sh and
# tests/cli/test_golden.sh, so that both run the very same commands.
#
# golden_each FILE FUNCTION calls, for each command line of FILE (see its
# header), FUNCTION KIND OUTPUTS PROGRAM ARGUMENTS..., with standard input
# from /dev/null; it stops with status 2 on a malformed line, and with
# FUNCTION's status when that is not 0.
golden_each() {
  _gfile=$1; _gfun=$2
  # read without -r: a backslash at the end of a line continues the command
  while IFS= read _gline || [ -n "$_gline" ]; do
    case $_gline in ''|'#'*) continue ;; esac
    case $_gline in
      *[\'\"\\\$\`\;\&\|\<\>\(\)\*\?\[]*)
        echo "$_gfile: quotes and shell syntax are not allowed: $_gline" >&2; return 2 ;;
    esac
    set -f; set -- $_gline; set +f
    if [ $# -lt 3 ]; then echo "$_gfile: a line needs KIND OUTPUTS PROGRAM: $_gline" >&2; return 2; fi
    "$_gfun" "$@" </dev/null || return $?
  done < "$_gfile"
}
