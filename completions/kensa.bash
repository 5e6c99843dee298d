# bash completion for kensa                                 -*- shell-script -*-
_kensa()
{
    local cur prev words cword
    _init_completion || return

    local commands="log4j logs scan system threats brief version help"
    local opts="--help --version --json --csv --format --output --quiet
        --color --lang --all --threads --exclude --one-file-system
        --follow-symlinks --scan-pseudo-fs --max-filesize --max-scansize
        --max-files --max-recursion --max-ratio --max-scantime --no-summary
        --password --passwords --running --pid --root --log-path --iocs --fix --dry-run --backup-dir
        --restore --fix-log4j1 --no-confine"

    case $prev in
        --format) COMPREPLY=($(compgen -W "text json csv" -- "$cur")); return ;;
        --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --lang) COMPREPLY=($(compgen -W "en ja" -- "$cur")); return ;;
        -o|--output|--iocs|--passwords) _filedir; return ;;
        --log-path|--backup-dir|--root) _filedir -d; return ;;
        --threads|-j|--exclude|--max-*|--password) return ;;
        --pid) _pids; return ;;
        brief) COMPREPLY=($(compgen -W "$(kensa threats 2>/dev/null | cut -d' ' -f1)" -- "$cur")); return ;;
    esac
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        _filedir
    fi
} &&
    complete -F _kensa kensa
