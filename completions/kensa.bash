# bash completion for kensa                                 -*- shell-script -*-
_kensa()
{
    local cur prev words cword
    _init_completion || return

    local commands="log4j logs doc mail milter scan image system rules threats brief version help"
    local opts="--help --version --json --csv --format --output --quiet
        --color --lang --all --fail-on --threads --exclude --exclude-from
        --include-fs --one-file-system
        --follow-symlinks --scan-pseudo-fs --max-filesize --max-scansize
        --max-files --max-recursion --max-ratio --max-scantime --no-summary --no-advice --force
        --password --passwords --running --pid --root --log-path --persistence --no-persistence --export-iocs --timeline --iocs --rules --list --export --extract --fix --dry-run --backup-dir
        --restore --fix-log4j1 --no-confine --syslog --syslog-facility
        --kill --kill-memory --quarantine --restore-quarantine --max-procmem
        --socket --config --pidfile"

    case $prev in
        --format) COMPREPLY=($(compgen -W "text json csv" -- "$cur")); return ;;
        --color) COMPREPLY=($(compgen -W "auto always never yes no" -- "$cur")); return ;;
        --lang) COMPREPLY=($(compgen -W "en ja" -- "$cur")); return ;;
        --fail-on) COMPREPLY=($(compgen -W "info low medium high critical" -- "$cur")); return ;;
        --include-fs) COMPREPLY=($(compgen -W "nfs nfs4 cifs smb3 smbfs fuse fuse.sshfs sshfs afs autofs 9p ceph glusterfs" -- "$cur")); return ;;
        --syslog) COMPREPLY=($(compgen -W "local udp:// tcp:// unix:" -- "$cur")); compopt -o nospace; return ;;
        --syslog-facility) COMPREPLY=($(compgen -W "user daemon local0 local1 local2 local3 local4 local5 local6 local7" -- "$cur")); return ;;
        # --exclude: paths, folders completed with their '/' (a folder glob)
        -o|--output|--export-iocs|--timeline|--iocs|--rules|--passwords|--exclude|--exclude-from|--config|--pidfile) _filedir; return ;;
        --socket) COMPREPLY=($(compgen -W "unix: inet:" -- "$cur")); compopt -o nospace; return ;;
        --log-path|--backup-dir|--root|--export|--extract|--quarantine|--restore-quarantine) _filedir -d; return ;;
        --threads|-j|--max-*|--password) return ;;
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
