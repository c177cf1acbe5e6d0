#!/usr/bin/env bash
# eng/llama-server.sh - run llama.cpp's llama-server from the Debian sid root
# that eng/setup-llama.sh makes (package llama.cpp-tools).
#
# Usage: eng/llama-server.sh [llama-server args...]
#   e.g. eng/llama-server.sh -m "$PWD/tests/Shared/Models/stories260K.gguf" \
#          --host 127.0.0.1 --port 8089 -c 2048 -t 2 --no-webui --jinja
# Every argument goes to llama-server unchanged (so -h is llama-server's help).
#
# How: a private mount namespace (unshare --mount) in which the sid root gets
# /proc, /dev, /sys and these host paths bind-mounted at the SAME absolute
# paths: the repo root, /tmp, $TMPDIR, the caller's working directory, the
# directory of every argument that is an absolute path to an existing file
# (e.g. -m /some/dir/model.gguf, also --opt=/path form; system directories
# excepted) and $TRAININSIGHT_LLAMA_EXTRA_MOUNTS (colon-separated); then
# chroot into it and exec llama-server in the caller's working directory (or /
# when that is not visible there). Only the sid root's own binaries and
# libraries are used, so the ggml CPU backends (dlopen'ed from the compiled-in
# /usr/lib/x86_64-linux-gnu/ggml/backends0) load as in sid.
#
# The chain only exec()s: the PID the caller gets IS llama-server, so killing
# that PID (SIGTERM: graceful; SIGKILL) ends the server, and with it the
# namespace and its mounts; nothing is left running or mounted. The exit status
# is llama-server's. Networking is the caller's (no network namespace).
#
# Works from the host and from inside eng/torch-env.sh's chroot (which
# bind-mounts the sid root at the same path). Needs root (both places run as
# root); not-root callers on the host go through sudo, which then stands between
# the caller and the server (sudo forwards SIGTERM, not SIGKILL).
#
# Exit status 125 (with a message, before anything runs) when the sid root is
# missing/incomplete (run eng/setup-llama.sh) or the namespace cannot be made.
#
# Environment:
#   TRAININSIGHT_LLAMA_ROOT=DIR              the sid root (default /var/tmp/traininsight/sid)
#   TRAININSIGHT_LLAMA_EXTRA_MOUNTS=D1:D2    more host directories to make visible
#   passed to the server: LLAMA_*, GGML_*, OMP_*, TZ, LANG/LC_* (rest is dropped)
set -euo pipefail

ENG_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$ENG_DIR/.." && pwd -P)
SELF="$ENG_DIR/$(basename -- "${BASH_SOURCE[0]}")"

die() { echo "llama-server.sh: error: $*" >&2; exit 125; }

# ---------------------------------------------------------------------------
# Stage 2 (internal): runs as root inside the new mount namespace.
#   llama-server.sh --in-namespace ROOT WORKDIR CHECKPROP NMOUNTS MOUNT... NENV VAR=VAL... -- ARGS...
# ---------------------------------------------------------------------------
in_namespace() {
  local root=$1 workdir=$2 checkprop=$3 n m
  shift 3
  n=$1; shift
  local mounts=("${@:1:n}"); shift "$n"
  n=$1; shift
  local envs=("${@:1:n}"); shift "$n"
  [[ ${1:-} == -- ]] && shift

  if [[ $checkprop == 1 ]]; then
    # "/" is no mount point here (we are inside another chroot, e.g.
    # eng/torch-env.sh's), so unshare could not make it private. That is only
    # safe when no mount we can see propagates (torch-env's namespace is
    # rprivate); otherwise our bind mounts could leak out: refuse.
    if awk '{ for (i = 7; i <= NF && $i != "-"; i++) if ($i ~ /^shared:/) bad = 1 } END { exit !bad }' \
         /proc/self/mountinfo; then
      die "cannot isolate mounts: shared mounts visible and / is not a mount point"
    fi
  else
    mount --make-rprivate / 2>/dev/null || true   # unshare did it; belt and braces
  fi

  # Bind the host directories at the same paths (sorted: parents before children).
  while IFS= read -r m; do
    [[ -n $m && -d $m ]] || continue
    mkdir -p -- "$root$m"
    mount --bind -- "$m" "$root$m" || die "cannot bind-mount $m into $root"
  done < <(printf '%s\n' "${mounts[@]}" | sort -u)

  mount -t proc proc "$root/proc" 2>/dev/null || mount --rbind /proc "$root/proc" ||
    die "cannot mount /proc in $root"
  mount --rbind /dev "$root/dev" || die "cannot mount /dev in $root"
  mount --rbind /sys "$root/sys" 2>/dev/null || true

  # Run where the caller was, when that directory is visible in the root.
  local dir=/
  for m in "${mounts[@]}"; do
    [[ -n $m && ( $workdir == "$m" || $workdir == "$m"/* ) ]] && { dir=$workdir; break; }
  done

  cd /
  exec chroot "$root" /usr/bin/env -i -C "$dir" "${envs[@]}" /usr/bin/llama-server "$@"
}

if [[ ${1:-} == --in-namespace ]]; then
  shift
  in_namespace "$@"
fi

# ---------------------------------------------------------------------------
# Stage 1: checks, then enter a private mount namespace.
# ---------------------------------------------------------------------------
LLAMA_ROOT="${TRAININSIGHT_LLAMA_ROOT:-/var/tmp/traininsight/sid}"
LLAMA_ROOT="${LLAMA_ROOT%/}"
if [[ ! -f $LLAMA_ROOT/.traininsight-root || ! -x $LLAMA_ROOT/usr/bin/llama-server ]]; then
  if [[ ${TRAININSIGHT_TORCH_ENV:-} == chroot ]]; then
    die "llama.cpp root $LLAMA_ROOT not found here (inside eng/torch-env.sh); run eng/setup-llama.sh on the host, then start eng/torch-env.sh again"
  fi
  die "llama.cpp root $LLAMA_ROOT not found or incomplete; run eng/setup-llama.sh first"
fi
LLAMA_ROOT=$(cd -- "$LLAMA_ROOT" && pwd -P)
command -v unshare >/dev/null 2>&1 || die "unshare (util-linux) not found"

workdir=$(pwd -P 2>/dev/null || echo /)

# --- host paths to make visible in the root ---
mounts=("$REPO_ROOT" /tmp)
[[ -n ${TMPDIR:-} && -d $TMPDIR ]] && mounts+=("$(cd -- "$TMPDIR" && pwd -P)")
[[ $workdir != / ]] && mounts+=("$workdir")
for a in "$@"; do
  [[ $a == --*=/* ]] && a=${a#*=}
  [[ $a == /* && -f $a ]] || continue
  mounts+=("$(cd -- "$(dirname -- "$a")" && pwd -P)")
done
if [[ -n ${TRAININSIGHT_LLAMA_EXTRA_MOUNTS:-} ]]; then
  IFS=: read -r -a extra <<<"$TRAININSIGHT_LLAMA_EXTRA_MOUNTS"
  for m in "${extra[@]}"; do [[ -d $m ]] && mounts+=("$(cd -- "$m" && pwd -P)"); done
fi
# Never bind something over the root's own system directories (those would
# shadow sid's libraries); such paths are simply not made visible.
keep=()
for m in "${mounts[@]}"; do
  case "$m" in
    /|/usr|/usr/*|/bin|/bin/*|/sbin|/sbin/*|/lib|/lib/*|/lib64|/lib64/*|/etc|/etc/*|/var|/var/lib|/var/lib/*|/proc|/proc/*|/dev|/dev/*|/sys|/sys/*|/run|/run/*) ;;
    "$LLAMA_ROOT"|"$LLAMA_ROOT"/*) ;;
    *) keep+=("$m") ;;
  esac
done
mounts=("${keep[@]}")

# --- environment for the server ---
envs=("PATH=/usr/sbin:/usr/bin:/sbin:/bin" "HOME=/root")
while IFS= read -r name; do
  [[ $name =~ ^(LLAMA_[A-Za-z0-9_]+|GGML_[A-Za-z0-9_]+|OMP_[A-Z_]+|TZ|LANG|LANGUAGE|LC_[A-Z_]+)$ ]] &&
    envs+=("$name=${!name}")
done < <(compgen -e)

# --- enter the namespace (as root; via sudo when we are not) ---
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "llama-server.sh needs root (or sudo) for its mount namespace"
  sudo=(sudo)
fi
# Inside another chroot "/" is no mount point, and unshare's default
# (make "/" private) would fail; stage 2 then checks nothing can propagate.
if mountpoint -q / 2>/dev/null; then prop=private checkprop=0; else prop=unchanged checkprop=1; fi
exec "${sudo[@]}" unshare --mount --propagation "$prop" -- \
  "$SELF" --in-namespace "$LLAMA_ROOT" "$workdir" "$checkprop" \
  "${#mounts[@]}" "${mounts[@]}" "${#envs[@]}" "${envs[@]}" -- "$@"
