#!/usr/bin/env bash
# eng/setup-browser.sh - the browser the dashboard's tests drive: Debian's Chromium, and a CJK font so Chinese text
# renders (not as empty boxes) in screenshots.
#
# Usage: eng/setup-browser.sh [--quiet]
#
# Installs `chromium` and `fonts-noto-cjk` (apt-get, --no-install-recommends) where the tests run: on the host in host
# mode, or inside the Debian trixie root of eng/setup.sh in chroot mode (the tests run in there, see eng/torch-env.sh).
# Cheap when they are already installed. Playwright's own browser download is never used: the tests launch
# /usr/bin/chromium ($TRAININSIGHT_CHROMIUM overrides the path). TRAININSIGHT_SKIP_BROWSER=1 skips this step (the
# browser tests then fail, saying why).
set -euo pipefail

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
quiet=0
[[ ${1:-} == --quiet ]] && quiet=1
log() { [[ $quiet == 1 ]] || echo "setup-browser.sh: $*" >&2; }
die() { echo "setup-browser.sh: error: $*" >&2; exit 1; }

[[ ${TRAININSIGHT_SKIP_BROWSER:-0} == 1 ]] && { log "skipped (TRAININSIGHT_SKIP_BROWSER=1)"; exit 0; }
[[ $(uname -s) == Linux ]] || { log "not on Linux: install Chromium yourself and set TRAININSIGHT_CHROMIUM"; exit 0; }

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
packages=(chromium fonts-noto-cjk)

mode=$("$REPO_ROOT/eng/setup.sh" --print-mode)
if [[ $mode == host ]]; then
  root=""
else
  root=${mode#chroot }
fi

if [[ -x $root/usr/bin/chromium && -n $(ls "$root"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc 2>/dev/null) ]]; then
  log "Chromium and the CJK font are installed${root:+ in $root}"
  exit 0
fi

logf=$(mktemp "${TMPDIR:-/tmp}/traininsight-browser.XXXXXX")
trap 'rm -f -- "$logf"' EXIT
log "installing ${packages[*]}${root:+ into $root} (apt-get; about a minute) ..."
if [[ -z $root ]]; then
  { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } >"$logf" 2>&1 ||
    { cat "$logf" >&2; die "apt-get install ${packages[*]} failed"; }
else
  command -v unshare >/dev/null 2>&1 || die "unshare (util-linux) not found"
  # In a private mount namespace with /proc, /dev and the host's resolver: nothing stays mounted on the host.
  # shellcheck disable=SC2016  # expanded by the inner bash
  as_root unshare --mount --propagation private -- /bin/bash -c '
    set -e
    dir=$1; shift
    mount -t proc proc "$dir/proc" 2>/dev/null || mount --rbind /proc "$dir/proc"
    mount --rbind /dev "$dir/dev"
    if [[ -f /etc/resolv.conf ]]; then
      [[ -e $dir/etc/resolv.conf && ! -L $dir/etc/resolv.conf ]] || { rm -f "$dir/etc/resolv.conf"; : >"$dir/etc/resolv.conf"; }
      mount --bind "$(readlink -f /etc/resolv.conf)" "$dir/etc/resolv.conf" 2>/dev/null || cp -fL /etc/resolv.conf "$dir/etc/resolv.conf"
    fi
    cd /
    exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
      /bin/sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $* && apt-get clean"
  ' setup-browser "$root" "${packages[@]}" >"$logf" 2>&1 ||
    { cat "$logf" >&2; die "apt-get install ${packages[*]} in $root failed"; }
fi
[[ -x $root/usr/bin/chromium ]] || die "chromium is still missing${root:+ from $root}"
log "installed: $("$REPO_ROOT/eng/torch-env.sh" /usr/bin/chromium --version 2>/dev/null || echo chromium)"
