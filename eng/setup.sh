#!/usr/bin/env bash
# eng/setup.sh - prepare this machine so TorchSharp (TorchSharp-cpu 0.107.0,
# libtorch 2.10.0) can run.
#
# TorchSharp's native libLibTorchSharp.so needs GLIBCXX_3.4.32 (GCC 13's
# libstdc++). Hosts with a newer libstdc++ (Ubuntu 24.04, Debian 13, macOS, ...)
# run everything directly ("host" mode). Older hosts such as Debian 12
# (GLIBCXX_3.4.30) get a small Debian 13 (trixie) root made with debootstrap,
# and eng/torch-env.sh runs commands inside it ("chroot" mode).
#
# What this script does (idempotent; a second run is a few cheap checks):
#   * apt-installs dataset-fashion-mnist when the dataset is missing, and
#     debootstrap (+ debian-archive-keyring) only when a trixie root must be made;
#   * in chroot mode, creates the root at ${TRAININSIGHT_TORCH_ROOT:-/var/tmp/traininsight/trixie}
#     (built in a temp dir next to it, renamed into place only when complete and
#     stamped, so an interrupted debootstrap never leaves a half root behind);
#   * prints one line saying which mode is in use.
#
# Usage: eng/setup.sh [--quiet | --print-mode]
#   --quiet       print nothing on success
#   --print-mode  print only "host" or "chroot <root dir>" on stdout (used by torch-env.sh)
#
# Environment:
#   TRAININSIGHT_TORCH_MODE=auto|host|chroot   force a mode (default auto = detect)
#   TRAININSIGHT_TORCH_ROOT=DIR                where the trixie root lives
#   TRAININSIGHT_DEBIAN_MIRROR=URL             mirror for debootstrap (default deb.debian.org)
#   TRAININSIGHT_SKIP_DATASET=1                do not install dataset-fashion-mnist
set -euo pipefail

readonly REQUIRED_GLIBCXX="GLIBCXX_3.4.32"
readonly DATASET_DIR="/usr/share/datasets/fashion-mnist"
readonly DATASET_FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
                        t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
readonly ROOT_SUITE="trixie"
# libicu/libssl: .NET runtime; ca-certificates: HTTPS (NuGet); tzdata: TimeZoneInfo;
# libgomp1: LLamaSharp's CPU backend (libggml-cpu.so links OpenMP).
readonly ROOT_PACKAGES="libicu76,libssl3t64,ca-certificates,tzdata,libgomp1"
# Bump ROOT_FORMAT when the root's recipe changes; an old root is then rebuilt.
readonly ROOT_FORMAT=2
readonly STAMP_NAME=".traininsight-root"

TORCH_ROOT="${TRAININSIGHT_TORCH_ROOT:-/var/tmp/traininsight/trixie}"
TORCH_ROOT="${TORCH_ROOT%/}"
MIRROR="${TRAININSIGHT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

output="line"
case "${1:-}" in
  "") ;;
  --quiet) output="none" ;;
  --print-mode) output="mode" ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

log() { echo "setup.sh: $*" >&2; }
die() { echo "setup.sh: error: $*" >&2; exit 1; }

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
# Mode detection
# ---------------------------------------------------------------------------

# Print the host's libstdc++.so.6 path(s), best candidates first.
libstdcxx_candidates() {
  if command -v ldconfig >/dev/null 2>&1 || [[ -x /sbin/ldconfig ]]; then
    { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true; } |
      awk '$1 == "libstdc++.so.6" { print $NF }'
  fi
  local f
  for f in /lib/*-linux-gnu/libstdc++.so.6 /usr/lib/*-linux-gnu/libstdc++.so.6 \
           /usr/lib64/libstdc++.so.6 /lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6; do
    [[ -e $f ]] && echo "$f"
  done
  return 0
}

# Echo "host" or "chroot".
detect_mode() {
  case "${TRAININSIGHT_TORCH_MODE:-auto}" in
    host|chroot) echo "$TRAININSIGHT_TORCH_MODE"; return ;;
    auto|"") ;;
    *) die "TRAININSIGHT_TORCH_MODE must be auto, host or chroot" ;;
  esac
  # Only glibc Linux can be missing the symbol version; macOS etc. run directly.
  [[ $(uname -s) == Linux ]] || { echo host; return; }
  local lib
  while IFS= read -r lib; do
    # grep -a scans the binary's version-string table; no binutils needed.
    if grep -aqF "$REQUIRED_GLIBCXX" "$lib" 2>/dev/null; then
      echo host; return
    fi
  done < <(libstdcxx_candidates)
  echo chroot
}

# ---------------------------------------------------------------------------
# apt packages
# ---------------------------------------------------------------------------
apt_updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; please install these packages by hand: $*"
  local logf
  logf=$(mktemp "${TMPDIR:-/tmp}/traininsight-apt.XXXXXX")
  log "installing apt packages: $*"
  if [[ $apt_updated -eq 0 ]]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$logf" 2>&1 ||
      { cat "$logf" >&2; rm -f "$logf"; die "apt-get update failed"; }
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "$@" >"$logf" 2>&1 ||
    { cat "$logf" >&2; rm -f "$logf"; die "apt-get install $* failed"; }
  rm -f "$logf"
}

dataset_present() {
  local f
  for f in "${DATASET_FILES[@]}"; do [[ -s $DATASET_DIR/$f ]] || return 1; done
}

have_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]]
}

# ---------------------------------------------------------------------------
# trixie root
# ---------------------------------------------------------------------------
stamp_content() {
  printf 'format=%s\nsuite=%s\npackages=%s\n' "$ROOT_FORMAT" "$ROOT_SUITE" "$ROOT_PACKAGES"
}

root_is_complete() {
  [[ -f $TORCH_ROOT/$STAMP_NAME ]] &&
    [[ $(grep -v '^created=' "$TORCH_ROOT/$STAMP_NAME") == "$(stamp_content)" ]]
}

# Refuse to delete a directory that has anything mounted below it in our mount
# namespace. (Mounts made by eng/torch-env.sh live in private namespaces; from
# here those mount points are plain empty directories, so deleting is safe.)
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

create_root() {
  local parent tmp dbs start logf
  parent=$(dirname "$TORCH_ROOT")
  as_root mkdir -p "$parent"

  # Serialize concurrent setups (two test runs starting at once).
  if command -v flock >/dev/null 2>&1 && [[ -w $parent ]]; then
    exec 9>"$TORCH_ROOT.lock"
    flock 9
    root_is_complete && return 0   # somebody else just finished it
  fi

  # Leftovers from interrupted runs (never used: only stamped roots are used).
  for tmp in "$TORCH_ROOT".tmp.*; do
    [[ -d $tmp ]] && { log "removing leftover $tmp"; safe_rm_root "$tmp"; }
  done

  dbs=$(command -v debootstrap || echo /usr/sbin/debootstrap)
  tmp=$(as_root mktemp -d "$TORCH_ROOT.tmp.XXXXXX")
  # A root needs to be usable by its owner; mktemp makes it 0700.
  as_root chmod 0755 "$tmp"
  log "creating Debian $ROOT_SUITE root in $TORCH_ROOT (debootstrap, ~30-60 s) ..."
  start=$SECONDS
  logf=$(mktemp "${TMPDIR:-/tmp}/traininsight-debootstrap.XXXXXX")
  # shellcheck disable=SC2086  # TRAININSIGHT_DEBOOTSTRAP_ARGS is a word list on purpose
  if ! as_root "$dbs" --variant=minbase --include="$ROOT_PACKAGES" \
        ${TRAININSIGHT_DEBOOTSTRAP_ARGS:-} \
        "$ROOT_SUITE" "$tmp" "$MIRROR" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2 || true
    log "debootstrap failed (full log: $logf); removing $tmp"
    safe_rm_root "$tmp"
    exit 1
  fi

  # Post-configuration: world-writable /tmp, no cached .debs, a stamp.
  as_root chmod 1777 "$tmp/tmp"
  as_root find "$tmp/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -delete
  { stamp_content; echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; } |
    as_root tee "$tmp/$STAMP_NAME" >/dev/null

  # Swap it into place. An outdated root (older ROOT_FORMAT) is moved aside
  # and deleted; processes still chrooted into it keep working from memory.
  if [[ -e $TORCH_ROOT ]]; then
    local old="$TORCH_ROOT.tmp.old.$$"
    as_root mv -T "$TORCH_ROOT" "$old"
    as_root mv -T "$tmp" "$TORCH_ROOT"
    safe_rm_root "$old"
  else
    as_root mv -T "$tmp" "$TORCH_ROOT"
  fi
  rm -f "$logf"
  log "root ready in $((SECONDS - start)) s"
}

# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
mode=$(detect_mode)

packages=()
if [[ ${TRAININSIGHT_SKIP_DATASET:-0} != 1 ]] && ! dataset_present; then
  packages+=(dataset-fashion-mnist)
fi
if [[ $mode == chroot ]] && ! root_is_complete; then
  have_debootstrap || packages+=(debootstrap)
  [[ -e /usr/share/keyrings/debian-archive-keyring.gpg ]] || packages+=(debian-archive-keyring)
fi
if [[ ${#packages[@]} -gt 0 ]]; then
  if [[ $(uname -s) == Linux ]]; then
    apt_install "${packages[@]}"
  else
    log "warning: not on Linux; get the Fashion-MNIST files into $DATASET_DIR yourself"
  fi
fi

if [[ ${TRAININSIGHT_SKIP_DATASET:-0} != 1 ]] && ! dataset_present; then
  log "warning: Fashion-MNIST files still missing from $DATASET_DIR"
fi

if [[ $mode == chroot ]] && ! root_is_complete; then
  [[ $(uname -s) == Linux ]] || die "chroot mode only works on Linux"
  create_root
fi

case "$output" in
  mode)
    if [[ $mode == chroot ]]; then echo "chroot $TORCH_ROOT"; else echo host; fi ;;
  line)
    if [[ $mode == chroot ]]; then
      echo "TrainInsight torch env: chroot mode (host libstdc++ lacks $REQUIRED_GLIBCXX; commands run in the Debian $ROOT_SUITE root $TORCH_ROOT)"
    else
      echo "TrainInsight torch env: host mode (host libstdc++ provides $REQUIRED_GLIBCXX; commands run directly)"
    fi ;;
  none) ;;
esac
