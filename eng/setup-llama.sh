#!/usr/bin/env bash
# eng/setup-llama.sh - prepare a real llama.cpp `llama-server` for the tests.
#
# Tests of the OpenAI-compatible client talk to a real llama-server serving the
# tiny model tests/Shared/Models/stories260K.gguf. llama-server ships in Debian's
# package llama.cpp-tools, which only exists in Debian sid (unstable), so this
# script makes a small Debian sid root with debootstrap and installs the package
# into it; eng/llama-server.sh then runs the server from that root.
#
# What this script does (idempotent; a second run is a few cheap checks):
#   * apt-installs debootstrap (+ debian-archive-keyring) on the host, only when
#     the root must be made;
#   * creates the root at ${TRAININSIGHT_LLAMA_ROOT:-/var/tmp/traininsight/sid}:
#     debootstrap --variant=minbase sid, then inside it
#     `apt-get install --no-install-recommends llama.cpp-tools` and apt's cache
#     and lists cleaned. It is built in a temp dir next to the final path,
#     checked (llama-server --version runs and loads its ggml backends), stamped
#     and renamed into place only when complete, so an interrupted run never
#     leaves a half root behind; concurrent runs are serialized with flock;
#   * prints one line saying which llama-server is in use.
#
# Usage: eng/setup-llama.sh [--quiet | --print-root]
#   --quiet       print nothing on success
#   --print-root  print only the root's path on stdout (after making sure it exists)
#
# Needs Linux and root (or sudo). Exits nonzero with a message when the root
# cannot be made (no apt/debootstrap, mirror unreachable, package missing ...).
#
# Environment:
#   TRAININSIGHT_LLAMA_ROOT=DIR       where the sid root lives
#   TRAININSIGHT_DEBIAN_MIRROR=URL    mirror for debootstrap/apt (default deb.debian.org)
#   TRAININSIGHT_DEBOOTSTRAP_ARGS=... extra debootstrap arguments (word list)
set -euo pipefail

readonly ROOT_SUITE="sid"
readonly ROOT_PACKAGES="llama.cpp-tools"
# Bump ROOT_FORMAT when the root's recipe changes; an old root is then rebuilt.
readonly ROOT_FORMAT=1
readonly STAMP_NAME=".traininsight-root"

LLAMA_ROOT="${TRAININSIGHT_LLAMA_ROOT:-/var/tmp/traininsight/sid}"
LLAMA_ROOT="${LLAMA_ROOT%/}"
MIRROR="${TRAININSIGHT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

output="line"
case "${1:-}" in
  "") ;;
  --quiet) output="none" ;;
  --print-root) output="root" ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup-llama.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

log() { echo "setup-llama.sh: $*" >&2; }
die() { echo "setup-llama.sh: error: $*" >&2; exit 1; }

[[ -n $LLAMA_ROOT && $LLAMA_ROOT == /* ]] || die "TRAININSIGHT_LLAMA_ROOT must be an absolute path"
case "$LLAMA_ROOT" in
  /|/usr|/usr/*|/bin|/lib|/lib64|/etc|/etc/*|/var|/proc|/proc/*|/dev|/dev/*|/sys|/sys/*|/tmp|/root|/home)
    die "refusing to use $LLAMA_ROOT as the llama root" ;;
esac

# Run a command as root: directly when we are root, else through sudo.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# ---------------------------------------------------------------------------
# stamp
# ---------------------------------------------------------------------------
stamp_content() {
  printf 'format=%s\nsuite=%s\npackages=%s\n' "$ROOT_FORMAT" "$ROOT_SUITE" "$ROOT_PACKAGES"
}

root_is_complete() {
  [[ -f $LLAMA_ROOT/$STAMP_NAME && -x $LLAMA_ROOT/usr/bin/llama-server ]] &&
    [[ $(grep -E '^(format|suite|packages)=' "$LLAMA_ROOT/$STAMP_NAME") == "$(stamp_content)" ]]
}

# ---------------------------------------------------------------------------
# host packages
# ---------------------------------------------------------------------------
apt_install_host() {
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; please install these packages by hand: $*"
  local logf
  logf=$(mktemp "${TMPDIR:-/tmp}/traininsight-apt.XXXXXX")
  log "installing apt packages: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$logf" 2>&1 ||
    { cat "$logf" >&2; rm -f "$logf"; die "apt-get update failed"; }
  as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "$@" >"$logf" 2>&1 ||
    { cat "$logf" >&2; rm -f "$logf"; die "apt-get install $* failed"; }
  rm -f "$logf"
}

have_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]]
}

# ---------------------------------------------------------------------------
# sid root
# ---------------------------------------------------------------------------

# Refuse to delete a directory that has anything mounted below it in our mount
# namespace. (Mounts made by eng/llama-server.sh and eng/torch-env.sh live in
# private namespaces; from here those mount points are plain empty directories.)
safe_rm_root() {
  local dir=$1 esc mnt
  esc=${dir// /\\040}   # /proc/self/mountinfo writes a space as \040
  if [[ -r /proc/self/mountinfo ]]; then
    while read -r _ _ _ _ mnt _; do
      if [[ $mnt == "$esc" || $mnt == "$esc"/* ]]; then
        die "refusing to delete $dir: $mnt is mounted inside it"
      fi
    done < /proc/self/mountinfo
  fi
  as_root rm -rf --one-file-system -- "$dir"
}

# Run a command chrooted into DIR, in a private mount namespace with /proc and
# /dev (the mounts vanish with the command; nothing stays mounted on the host).
#   in_root DIR COMMAND [ARGS...]
in_root() {
  local dir=$1; shift
  # shellcheck disable=SC2016  # expanded by the inner bash
  as_root unshare --mount --propagation private -- /bin/bash -c '
    set -e
    dir=$1; shift
    mount -t proc proc "$dir/proc" 2>/dev/null || mount --rbind /proc "$dir/proc"
    mount --rbind /dev "$dir/dev"
    if [[ -f /etc/resolv.conf ]]; then
      [[ -e $dir/etc/resolv.conf && ! -L $dir/etc/resolv.conf ]] || { rm -f "$dir/etc/resolv.conf"; : >"$dir/etc/resolv.conf"; }
      mount --bind "$(readlink -f /etc/resolv.conf)" "$dir/etc/resolv.conf" 2>/dev/null ||
        cp -fL /etc/resolv.conf "$dir/etc/resolv.conf"
    fi
    cd /
    exec chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
      LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
  ' setup-llama "$dir" "$@"
}

create_root() {
  local parent tmp dbs start logf version
  parent=$(dirname "$LLAMA_ROOT")
  as_root mkdir -p "$parent"

  # Serialize concurrent setups (two test runs starting at once).
  if command -v flock >/dev/null 2>&1 && [[ -w $parent ]]; then
    exec 9>"$LLAMA_ROOT.lock"
    flock 9
    root_is_complete && return 0   # somebody else just finished it
  fi

  # Leftovers from interrupted runs (never used: only stamped roots are used).
  for tmp in "$LLAMA_ROOT".tmp.*; do
    [[ -d $tmp ]] && { log "removing leftover $tmp"; safe_rm_root "$tmp"; }
  done

  dbs=$(command -v debootstrap || echo /usr/sbin/debootstrap)
  tmp=$(as_root mktemp -d "$LLAMA_ROOT.tmp.XXXXXX")
  as_root chmod 0755 "$tmp"   # mktemp makes it 0700
  log "creating Debian $ROOT_SUITE root with $ROOT_PACKAGES in $LLAMA_ROOT (debootstrap + apt, ~1-3 min) ..."
  start=$SECONDS
  logf=$(mktemp "${TMPDIR:-/tmp}/traininsight-debootstrap.XXXXXX")
  fail() {
    tail -n 30 "$logf" >&2 || true
    log "$1 (full log: $logf); removing $tmp"
    safe_rm_root "$tmp"
    exit 1
  }
  # shellcheck disable=SC2086  # TRAININSIGHT_DEBOOTSTRAP_ARGS is a word list on purpose
  as_root "$dbs" --variant=minbase ${TRAININSIGHT_DEBOOTSTRAP_ARGS:-} \
      "$ROOT_SUITE" "$tmp" "$MIRROR" >"$logf" 2>&1 ||
    fail "debootstrap of Debian $ROOT_SUITE failed"

  # The mirror may serve a frozen snapshot whose Release is past Valid-Until.
  { in_root "$tmp" apt-get -o Acquire::Check-Valid-Until=false update &&
    in_root "$tmp" apt-get install -y --no-install-recommends "$ROOT_PACKAGES" &&
    in_root "$tmp" apt-get clean; } >>"$logf" 2>&1 ||
    fail "installing $ROOT_PACKAGES into the $ROOT_SUITE root failed"
  as_root find "$tmp/var/lib/apt/lists" -mindepth 1 -maxdepth 1 -type f -delete

  # Check the server really runs (its ggml backends load) before stamping.
  version=$(in_root "$tmp" llama-server --version 2>&1) ||
    { echo "$version" >>"$logf"; fail "llama-server --version failed inside the new root"; }
  echo "$version" >>"$logf"
  version=$(sed -n 's/^version: *//p' <<<"$version" | head -n 1)

  # Post-configuration: world-writable /tmp, a stamp.
  as_root chmod 1777 "$tmp/tmp"
  { stamp_content
    echo "llama-server=${version:-unknown}"
    echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; } |
    as_root tee "$tmp/$STAMP_NAME" >/dev/null

  # Swap it into place. An outdated root (older ROOT_FORMAT) is moved aside
  # and deleted; servers still running from it keep working from memory.
  if [[ -e $LLAMA_ROOT ]]; then
    local old="$LLAMA_ROOT.tmp.old.$$"
    as_root mv -T "$LLAMA_ROOT" "$old"
    as_root mv -T "$tmp" "$LLAMA_ROOT"
    safe_rm_root "$old"
  else
    as_root mv -T "$tmp" "$LLAMA_ROOT"
  fi
  rm -f "$logf"
  log "root ready in $((SECONDS - start)) s"
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
if ! root_is_complete; then
  [[ $(uname -s) == Linux ]] || die "the llama.cpp root only works on Linux"
  packages=()
  have_debootstrap || packages+=(debootstrap)
  [[ -e /usr/share/keyrings/debian-archive-keyring.gpg ]] || packages+=(debian-archive-keyring)
  [[ ${#packages[@]} -eq 0 ]] || apt_install_host "${packages[@]}"
  command -v unshare >/dev/null 2>&1 || die "unshare (util-linux) not found"
  create_root
fi

case "$output" in
  root) echo "$LLAMA_ROOT" ;;
  line)
    version=$(sed -n 's/^llama-server=//p' "$LLAMA_ROOT/$STAMP_NAME")
    echo "TrainInsight llama env: llama-server ${version:-?} (Debian $ROOT_SUITE $ROOT_PACKAGES) in $LLAMA_ROOT; run it with eng/llama-server.sh" ;;
  none) ;;
esac
