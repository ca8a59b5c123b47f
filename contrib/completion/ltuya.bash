# bash completion for ltuya. Commands and options come from the tool's own
# help (`ltuya --help`, `ltuya CMD --help`), device names and DP codes from
# devices.json (`ltuya __complete`), so new subcommands and options complete
# without editing this file. Installed as
# /usr/share/bash-completion/completions/ltuya.

_ltuya_words() { # lines on stdin -> COMPREPLY entries that start with $cur, quoted for the shell
  local line
  while IFS= read -r line; do
    [[ $line == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
  done
}

_ltuya() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local bin=${COMP_WORDS[0]} cmd="" devfile="" i positional=0
  COMPREPLY=()
  bin=${bin/#\~/$HOME}

  if ((COMP_CWORD == 1)); then
    _ltuya_words < <("$bin" --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p'
      printf '%s\n' --help --version)
    return
  fi
  cmd=${COMP_WORDS[1]}
  if [[ $cmd == help ]]; then
    ((COMP_CWORD == 2)) && _ltuya_words < <("$bin" --help 2>/dev/null |
      sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\).*/\1/p')
    return
  fi

  # --devices FILE given earlier on the line; count the positional words before this one
  for ((i = 2; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --devices) devfile=${COMP_WORDS[i + 1]}; ((i++)) ;;
      --ip | --id | --key | --port | --version | -V | --dp | -t | --timeout | --interval | --for | \
        --retries | --profile | --quirk | --config | --host | --seed | --fault | --solicit | --session-key | \
        --direction | --clients | --idle-timeout | --udp-port | --beacon-interval | --push-interval | --solicit-port) ((i++)) ;;
      -*) ;;
      *) ((positional++)) ;;
    esac
  done
  local -a dev=()
  [[ -n $devfile ]] && dev=(--devices "${devfile/#\~/$HOME}")

  case $prev in
    --devices | --config) COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
    -V | --version) _ltuya_words < <(printf '%s\n' 3.1 3.2 3.3 3.4 3.5); return ;;
    --direction) _ltuya_words < <(printf '%s\n' device client any); return ;;
    --ip | --id | --key | --port | --dp | -t | --timeout | --interval | --for | --retries | --host | \
      --seed | --session-key | --solicit | --clients | --idle-timeout | --udp-port | --beacon-interval | \
      --push-interval | --solicit-port | --fault | --quirk | --profile) return ;;
  esac

  if [[ $cur == -* ]]; then
    _ltuya_words < <("$bin" "$cmd" --help 2>/dev/null | grep -oE -- '(^|[ [,])--?[A-Za-z][A-Za-z0-9-]*' |
      sed 's/^[ [,]//' | sort -u)
    return
  fi
  # the first positional word of a command whose usage says DEVICE is a device
  local usage
  usage=$("$bin" "$cmd" --help 2>/dev/null | head -n 1)
  [[ $usage == *" DEVICE"* ]] || return
  if ((positional == 0)); then
    _ltuya_words < <("$bin" __complete devices "${dev[@]}" 2>/dev/null)
  else
    # later words: DP codes of that device (as CODE= for set)
    local device=${COMP_WORDS[2]} suffix=""
    for ((i = 2; i < COMP_CWORD; i++)); do
      case ${COMP_WORDS[i]} in
        --devices | --ip | --id | --key | --port | --version | -V | --dp | -t | --timeout) ((i++)) ;;
        -*) ;;
        *) device=${COMP_WORDS[i]}; break ;;
      esac
    done
    # undo the shell quoting of the typed word (without eval: it is not ours to run)
    device=${device//\\/}
    device=${device#[\"\']}
    device=${device%[\"\']}
    [[ $usage == *"DP=VALUE"* ]] && suffix="="
    _ltuya_words < <("$bin" __complete codes "$device" "${dev[@]}" 2>/dev/null | sed "s/\$/$suffix/")
    [[ -n $suffix ]] && compopt -o nospace 2>/dev/null
  fi
}
complete -F _ltuya ltuya
