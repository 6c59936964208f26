#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What scripts/install.sh installed, from which Debian versions, and
# whether it is stale.  install.sh --status runs it from the clone;
# install.sh installs it as /usr/local/lib/xen-rdm/check-stale, which
# dpkg runs after every run (/etc/dpkg/dpkg.cfg.d/xen-rdm, --hook).  See
# docs/install.rst.
#
# usage: xen-rdm-check.sh --status | --hook | --record PART PACKAGE...
#
#   --status  print what is installed (from the manifest install.sh
#             wrote, /usr/local/lib/xen-rdm/installed), the Debian
#             versions of the packages whose files it diverted or
#             replaced, the Xen version the series was built on, and
#             whether it is stale: a package's version differs from
#             dpkg's now, or dpkg unpacked it again since the install
#             (an "install" or "upgrade" line of it in dpkg's log after
#             the install's time: a reinstall), or an installed file's
#             sha256 differs, or a diversion or symlink is gone.
#             Exit status: 0 installed and up to date, 1 stale, 2 nothing
#             installed (no manifest), 3 cannot tell (a manifest of an
#             install.sh that recorded no versions), 4 bad usage.  Needs
#             no root.
#   --hook    the same checks but the sha256 sums; prints only when
#             something is stale, to stderr, with the one command that
#             rebuilds and reinstalls; always exits 0, so that it never
#             makes dpkg fail.  It reads dpkg's status, diversions and
#             log files itself (a few awk runs, no dpkg-query), to stay
#             fast after every dpkg run.
#   --record  print the manifest's lines for PACKAGEs of PART (qemu or
#             libxl) as they are now, "package PART NAME VERSION", for
#             the installed ones (install.sh writes them)
#
# Environment: XEN_RDM_MANIFEST (default /usr/local/lib/xen-rdm/installed),
# DPKG_ADMINDIR (default /var/lib/dpkg; dpkg sets it for its hooks),
# XEN_RDM_DPKG_LOG (default /var/log/dpkg.log).

MANIFEST=${XEN_RDM_MANIFEST:-/usr/local/lib/xen-rdm/installed}
ADMINDIR=${DPKG_ADMINDIR:-/var/lib/dpkg}
DPKG_LOG=${XEN_RDM_DPKG_LOG:-/var/log/dpkg.log}

# report MODE: one awk run over the manifest and dpkg's status,
# diversions and log files: "ok ..." or "STALE ..." for each recorded
# package and diversion, "# ..." header lines, "again COMMAND" (the one
# command that rebuilds and reinstalls) and, with MODE status, "file SHA
# PATH" and "symlink PATH TARGET" for the shell to check
report() {
    set -- which=m "$MANIFEST"
    [ -r "$ADMINDIR/status" ] && set -- "$@" which=s "$ADMINDIR/status"
    [ -r "$ADMINDIR/diversions" ] && set -- "$@" which=d "$ADMINDIR/diversions"
    [ -r "$DPKG_LOG" ] && set -- "$@" which=l "$DPKG_LOG"
    awk -v mode="$MODE" '
        which == "m" {
            if ($1 == "clone") clone = $2
            else if ($1 == "installed-at") when = $2 " " $3
            else if ($1 == "xen-source") src = src "# the Xen series (" $2 ") is built on Debian'"'"'s xen " $3 "\n"
            else if ($1 == "package") { np++; pp[np] = $2; pn[np] = $3; pv[np] = $4; parts[$2] = 1 }
            else if ($1 == "diversion") { nd++; df[nd] = $3; dt[nd] = $4; parts[$2] = 1 }
            else if ($1 == "file" || $1 == "symlink") { parts[$2] = 1; if (mode == "status") print $1, $3, $4 }
            next
        }
        which == "s" {
            if (/^Package: /) p = $2; else if (/^Status: /) st = $4; else if (/^Version: /) v = $2
            else if (/^$/) { if (st == "installed") cur[p] = v; p = st = v = "" }
            next
        }
        which == "d" { k = FNR % 3; if (k == 1) from = $0; else if (k == 2) div[from] = $0; next }
        which == "l" {
            if (($3 == "install" || $3 == "upgrade") && ($1 " " $2) > when) { q = $4; sub(/:.*/, "", q); again[q] = 1 }
            next
        }
        END {
            if (st == "installed") cur[p] = v
            n = 0; only = ""
            for (x in parts) { n++; only = x; names = names (names == "" ? "" : " ") x }
            print "# installed by " clone "/scripts/install.sh at " when ": " names
            printf "%s", src
            for (i = 1; i <= np; i++) {
                c = (pn[i] in cur) ? cur[pn[i]] : "(not installed)"
                if (c != pv[i])
                    print "STALE " pn[i] ": " pv[i] " at the install, " c " now (upgraded: its new files went to the diverted paths, ours still run)"
                else if (pn[i] in again)
                    print "STALE " pn[i] " " pv[i] ": reinstalled since the install (dpkg'"'"'s log)"
                else
                    print "ok " pn[i] " " pv[i] ", as at the install (" pp[i] ")"
            }
            for (i = 1; i <= nd; i++) {
                if (div[df[i]] == dt[i]) print "ok " df[i] " diverted to " dt[i]
                else print "STALE " df[i] ": its diversion to " dt[i] " is gone"
            }
            print "again cd " clone " && scripts/install.sh" (n == 1 ? " --only " only : "")
        }' "$@"
}

# check MODE: report's lines, with the symlinks (shell tests, no
# process) and, with MODE status, the files' sha256 checked
check() {
    MODE=$1
    report | while read -r kind a b c; do
        case $kind in
        symlink)
            if [ -L "$a" ] && [ "$a" -ef "$b" ]; then
                echo "ok $a -> $b"
            else
                echo "STALE $a: no longer a symlink to $b"
            fi ;;
        file)
            if [ ! -e "$b" ]; then
                echo "STALE $b: gone"
            elif [ "$(sha256sum < "$b" | cut -d' ' -f1)" != "$a" ]; then
                echo "STALE $b: changed since the install (sha256)"
            else
                echo "ok $b: as installed (sha256)"
            fi ;;
        *) echo "$kind${a:+ $a}${b:+ $b}${c:+ $c}" ;;
        esac
    done
    # the symlinks are checked in the hook too (no process: test -L, -ef)
    [ "$MODE" = status ] || while read -r kind part a b; do
        [ "$kind" = symlink ] || continue
        if [ -L "$a" ] && [ "$a" -ef "$b" ]; then :; else echo "STALE $a: no longer a symlink to $b"; fi
    done < "$MANIFEST"
}

hook() {
    # (a manifest without versions: cannot tell, as --status says)
    [ -f "$MANIFEST" ] && [ -r "$MANIFEST" ] && grep -q '^package ' "$MANIFEST" || return 0
    out=$(check hook) || return 0
    case $out in *"
STALE "*|"STALE "*) ;; *) return 0 ;; esac
    echo "xen-rdm: what scripts/install.sh installed is stale after this dpkg run:"
    echo "$out" | while read -r kind rest; do
        case $kind in
        STALE) echo "  $rest" ;;
        again) cmd=$rest; echo "xen-rdm: to rebuild it for the new versions and reinstall: $cmd" ;;
        esac
    done
}

case ${1:-} in
--record)
    part=$2; shift 2
    [ -r "$ADMINDIR/status" ] || exit 0
    awk -v part="$part" -v want=" $* " '
        /^Package: / { p = $2 } /^Status: / { st = $4 } /^Version: / { v = $2 }
        /^$/ { if (st == "installed" && index(want, " " p " ")) print "package", part, p, v; p = st = v = "" }
        END { if (st == "installed" && index(want, " " p " ")) print "package", part, p, v }' "$ADMINDIR/status"
    exit 0 ;;
--hook)
    # its report to stderr, nothing else; never make dpkg fail
    { hook 2>/dev/null || true; } >&2
    exit 0 ;;
--status)
    if [ ! -e "$MANIFEST" ]; then
        echo "xen-rdm: nothing installed ($MANIFEST does not exist)"
        exit 2
    fi
    if [ ! -f "$MANIFEST" ] || ! grep -q '^package ' "$MANIFEST" 2>/dev/null; then
        echo "xen-rdm: installed by an install.sh that recorded no package versions ($MANIFEST): cannot tell whether it is stale; reinstall to record them (scripts/install.sh in the clone)"
        exit 3
    fi
    out=$(check status)
    echo "$out" | sed -n 's/^# /xen-rdm: /p; s/^ok /  ok     /p; s/^STALE /  STALE  /p'
    if echo "$out" | grep -q '^STALE '; then
        echo "xen-rdm: stale; to rebuild and reinstall: $(echo "$out" | sed -n 's/^again //p')"
        exit 1
    fi
    echo "xen-rdm: up to date"
    exit 0 ;;
*)
    echo "usage: $0 --status | --hook | --record PART PACKAGE..." >&2
    exit 4 ;;
esac
