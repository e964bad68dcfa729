# bash completion for modvirt                                  -*- shell-script -*-
# Verbs, their options and domain names (asked from the daemon with
# `modvirt list --name`, using the -c URI already on the command line).

_modvirt_domains()
{
    local uri=("${@}")
    modvirt "${uri[@]}" list --name 2>/dev/null
}

_modvirt_networks()
{
    local uri=("${@}")
    modvirt "${uri[@]}" net-list --name 2>/dev/null
}

_modvirt_pools()
{
    local uri=("${@}")
    modvirt "${uri[@]}" pool-list --name 2>/dev/null
}

_modvirt()
{
    local cur prev words cword
    _init_completion || return

    local verbs="list info define undefine start shutdown power-off reboot reset suspend
                 resume dumpxml edit autostart console events help"
    verbs+=" net-list net-info net-define net-start net-destroy net-undefine net-edit
            net-leases net-events"
    verbs+=" nwfilter-list nwfilter-define nwfilter-dumpxml nwfilter-undefine nwfilter-bindings"
    verbs+=" pool-list pool-info pool-define pool-build pool-start pool-destroy pool-delete
            pool-undefine pool-refresh pool-autostart pool-dumpxml vol-list vol-info vol-create
            vol-create-as vol-clone vol-delete vol-wipe vol-resize vol-dumpxml vol-path"
    local uri=() verb="" i
    for ((i = 1; i < cword; i++)); do
        case "${words[i]}" in
            -c|--connect) uri=(-c "${words[i+1]}"); ((i++)) ;;
            --connect=*) uri=("${words[i]}") ;;
            -*) ;;
            *) if [[ -z $verb ]]; then verb=${words[i]}; fi ;;
        esac
    done

    case "$prev" in
        -c|--connect)
            COMPREPLY=($(compgen -W "qemu:///system qemu+tls:// qemu+tcp://" -- "$cur"))
            return ;;
    esac

    if [[ -z $verb ]]; then
        COMPREPLY=($(compgen -W "$verbs -c --connect --help --version" -- "$cur"))
        return
    fi

    local opts="--json --help -c --connect"
    case "$verb" in
        list) opts+=" --active --inactive --name" ;;
        start) opts+=" --paused --console" ;;
        power-off) opts+=" --graceful" ;;
        dumpxml) opts+=" --inactive --secure" ;;
        autostart) opts+=" --disable" ;;
        console) opts+=" --force --device" ;;
        events) opts+=" --timeout --count" ;;
        net-list) opts+=" --active --inactive --name" ;;
        net-leases) opts+=" --mac" ;;
        net-events) opts+=" --timeout --count" ;;
        pool-list) opts+=" --active --inactive --name" ;;
        pool-start) opts+=" --build" ;;
        pool-autostart) opts+=" --disable" ;;
        pool-dumpxml) opts+=" --inactive" ;;
        vol-list) opts+=" --name" ;;
        vol-create-as) opts+=" --format --allocation --backing" ;;
        vol-resize) opts+=" --shrink --allocate --delta" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    case "$verb" in
        define) _filedir xml ;;
        help) COMPREPLY=($(compgen -W "$verbs" -- "$cur")) ;;
        list) ;;
        net-define) _filedir xml ;;
        net-list) ;;
        net-*) COMPREPLY=($(compgen -W "$(_modvirt_networks "${uri[@]}")" -- "$cur")) ;;
        pool-define) _filedir xml ;;
        pool-list) ;;
        pool-*|vol-*) COMPREPLY=($(compgen -W "$(_modvirt_pools "${uri[@]}")" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$(_modvirt_domains "${uri[@]}")" -- "$cur")) ;;
    esac
}
complete -F _modvirt modvirt
