# fish completion for ltuya: commands and options from the tool's own help,
# device names and DP codes from devices.json (`ltuya __complete`), so new
# subcommands complete without editing this file.

function __ltuya_commands
    ltuya --help 2>/dev/null | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) *\(.*\)/\1\t\2/p'
end

function __ltuya_devfile
    set -l tokens (commandline -opc)
    set -l i (contains -i -- --devices $tokens)
    and test (count $tokens) -gt $i
    and echo --devices
    and echo $tokens[(math $i + 1)]
end

function __ltuya_takes_device
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; or return 1
    ltuya $tokens[2] --help 2>/dev/null | head -n 1 | string match -q '* DEVICE*'
end

function __ltuya_positionals
    set -l tokens (commandline -opc)
    set -l n 0
    set -l skip 0
    for t in $tokens[3..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case --devices --ip --id --key --port --version -V --dp -t --timeout --interval --for --retries
                set skip 1
            case '-*'
            case '*'
                set n (math $n + 1)
        end
    end
    echo $n
end

function __ltuya_devices
    ltuya __complete devices (__ltuya_devfile) 2>/dev/null
end

function __ltuya_codes
    set -l tokens (commandline -opc)
    set -l skip 0
    for t in $tokens[3..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case --devices --ip --id --key --port --version -V --dp -t --timeout --interval --for --retries
                set skip 1
            case '-*'
            case '*'
                ltuya __complete codes $t (__ltuya_devfile) 2>/dev/null
                return
        end
    end
end

function __ltuya_options
    set -l tokens (commandline -opc)
    ltuya $tokens[2] --help 2>/dev/null | string match -ar -- '(?:^|[ \[,])(--?[A-Za-z][A-Za-z0-9-]*)' | string match -r -- '^--?[A-Za-z].*' | sort -u
end

complete -c ltuya -f
complete -c ltuya -n __fish_use_subcommand -a '(__ltuya_commands)'
complete -c ltuya -n __fish_use_subcommand -l version -d 'print the version'
complete -c ltuya -n __fish_use_subcommand -l help -d 'list the commands'
complete -c ltuya -n '__fish_seen_subcommand_from help' -a '(__ltuya_commands)'
complete -c ltuya -n 'not __fish_use_subcommand; and string match -q -- "-*" (commandline -ct)' -a '(__ltuya_options)'
complete -c ltuya -n 'not __fish_use_subcommand' -l devices -r -F -d 'devices.json to read'
complete -c ltuya -n 'not __fish_use_subcommand' -s V -x -a '3.1 3.2 3.3 3.4 3.5' -d 'protocol version'
complete -c ltuya -n 'not __fish_use_subcommand; and __ltuya_takes_device; and test (__ltuya_positionals) -eq 0' -a '(__ltuya_devices)'
complete -c ltuya -n 'not __fish_use_subcommand; and __ltuya_takes_device; and test (__ltuya_positionals) -ge 1' -a '(__ltuya_codes)'
