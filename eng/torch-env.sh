#!/usr/bin/env bash
# eng/torch-env.sh - run a command where TorchSharp's native libraries load.
#
# Usage: eng/torch-env.sh [-C DIR] [--] COMMAND [ARGS...]
#   -C DIR   run COMMAND in DIR instead of the repository root
#
# Calls eng/setup.sh first (cheap when the machine is already set up), then:
#   * host mode (host libstdc++ has GLIBCXX_3.4.32): cd to the repo root and
#     exec COMMAND directly;
#   * chroot mode (e.g. Debian 12): exec COMMAND inside the Debian trixie root,
#     in a private mount namespace (unshare) where these host paths are
#     bind-mounted at the SAME absolute paths, so build outputs, deps.json and
#     project.assets.json paths resolve identically inside and outside:
#       the repo root, the .NET SDK (/usr/share/dotnet), $HOME (so ~/.nuget,
#       ~/.dotnet; + $NUGET_PACKAGES),
#       /usr/share/datasets, /tmp, -C DIR, the llama.cpp sid root of
#       eng/setup-llama.sh when it exists (${TRAININSIGHT_LLAMA_ROOT:-/var/tmp/traininsight/sid};
#       so eng/llama-server.sh also works in here), and $TRAININSIGHT_TORCH_EXTRA_MOUNTS
#       (colon-separated); plus /proc, /dev, /sys, and the host's
#       /etc/resolv.conf, /etc/hosts and CA bundle (so NuGet/HTTPS behave as on the host).
#     The mounts exist only in that namespace and disappear with the command's
#     last process; nothing is left mounted on the host.
#
# Either way the process chain only exec()s, so COMMAND keeps this script's PID,
# stays in the terminal's foreground process group (Ctrl+C reaches it), and its
# exit status is this script's exit status. Networking is the host's (no network
# namespace): a server bound to 127.0.0.1:5000 inside is reachable from the host.
#
# Environment passed into the root: PATH (with the .NET SDK first), HOME, TERM,
# LANG/LC_*, TZ, proxies, SSL_CERT_*, CI, DOTNET_*, NUGET_*, MSBUILD*,
# TRAININSIGHT_*, TORCHSHARP_*, VSTEST_*, ASPNETCORE_*, OMP/MKL thread counts,
# common CI-provider variables, and any names listed in TRAININSIGHT_TORCH_PASSENV.
set -euo pipefail

ENG_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$ENG_DIR/.." && pwd -P)
SELF="$ENG_DIR/$(basename -- "${BASH_SOURCE[0]}")"

die() { echo "torch-env.sh: error: $*" >&2; exit 125; }

# ---------------------------------------------------------------------------
# Stage 2 (internal): runs as root inside the new mount namespace.
#   torch-env.sh --in-namespace ROOT WORKDIR USERSPEC NMOUNTS MOUNT... NENV VAR=VAL... -- CMD...
# ---------------------------------------------------------------------------
in_namespace() {
  local root=$1 workdir=$2 userspec=$3 n m
  shift 3
  n=$1; shift
  local mounts=("${@:1:n}"); shift "$n"
  n=$1; shift
  local envs=("${@:1:n}"); shift "$n"
  [[ ${1:-} == -- ]] && shift

  # Belt and braces: nothing we mount here may propagate back to the host.
  mount --make-rprivate / 2>/dev/null || true

  # Bind the host directories at the same paths (sorted: parents before children).
  while IFS= read -r m; do
    [[ -n $m && -d $m ]] || continue
    mkdir -p -- "$root$m"
    mount --bind -- "$m" "$root$m"
  done < <(printf '%s\n' "${mounts[@]}" | sort -u)

  mount -t proc proc "$root/proc" 2>/dev/null || mount --rbind /proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys" 2>/dev/null || true

  # Host name resolution and trust store (an egress proxy's CA may only be in
  # the host's bundle). Single-file bind mounts; the root's files stay untouched.
  local f
  for f in /etc/resolv.conf /etc/hosts /etc/ssl/certs/ca-certificates.crt; do
    if [[ -f $f ]]; then
      [[ -e $root$f ]] || { mkdir -p -- "$(dirname -- "$root$f")"; : >"$root$f"; }
      mount --bind -- "$(readlink -f -- "$f")" "$root$f" 2>/dev/null ||
        cp -fL -- "$f" "$root$f" 2>/dev/null || true
    fi
  done

  local spec=()
  [[ -n $userspec ]] && spec=(--userspec="$userspec")
  cd /
  # shellcheck disable=SC2016  # $1/$@ are expanded by the inner bash
  exec chroot "${spec[@]}" "$root" /usr/bin/env -i "${envs[@]}" \
    /bin/bash -c 'cd -- "$1" || exit 125; shift; exec "$@"' torch-env "$workdir" "$@"
}

if [[ ${1:-} == --in-namespace ]]; then
  shift
  in_namespace "$@"
fi

# ---------------------------------------------------------------------------
# Stage 1: parse arguments, make sure the machine is set up, pick the mode.
# ---------------------------------------------------------------------------
WORKDIR=$REPO_ROOT
while [[ $# -gt 0 ]]; do
  case "$1" in
    -C) [[ $# -ge 2 ]] || die "-C needs a directory"
        WORKDIR=$(cd -- "$2" && pwd -P) || die "no such directory: $2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[[ $# -gt 0 ]] || die "no command given (usage: eng/torch-env.sh [-C DIR] [--] COMMAND [ARGS...])"

# Quiet, telemetry-free .NET everywhere (caller's values win).
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"
export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE="${DOTNET_SKIP_FIRST_TIME_EXPERIENCE:-1}"

read -r MODE TORCH_ROOT < <("$ENG_DIR/setup.sh" --print-mode) || die "eng/setup.sh failed"

if [[ $MODE == host ]]; then
  export TRAININSIGHT_TORCH_ENV=host
  cd -- "$WORKDIR"
  exec "$@"
fi
[[ -n ${TORCH_ROOT:-} && -d $TORCH_ROOT ]] || die "setup.sh reported no torch root"

# --- where the .NET SDK lives (bound at the same path) ---
DOTNET_DIR=""
if [[ -n ${DOTNET_ROOT:-} && -x ${DOTNET_ROOT}/dotnet ]]; then
  DOTNET_DIR=$(cd -- "$DOTNET_ROOT" && pwd -P)
elif command -v dotnet >/dev/null 2>&1; then
  DOTNET_DIR=$(dirname -- "$(readlink -f -- "$(command -v dotnet)")")
elif [[ -x /usr/share/dotnet/dotnet ]]; then
  DOTNET_DIR=/usr/share/dotnet
else
  die "dotnet not found (install the .NET 10 SDK)"
fi

# --- host paths to bind-mount into the root ---
home=${HOME:-/root}
mounts=("$REPO_ROOT" "$DOTNET_DIR" /tmp)
[[ -d /usr/share/datasets ]] && mounts+=(/usr/share/datasets)
# The whole home directory: ~/.nuget (packages + NuGet.Config), ~/.dotnet,
# ~/.local/share/NuGet caches are then the same inside and outside.
mkdir -p -- "$home/.nuget/packages"
mounts+=("$(cd -- "$home" && pwd -P)")
[[ -n ${NUGET_PACKAGES:-} && -d $NUGET_PACKAGES ]] && mounts+=("$(cd -- "$NUGET_PACKAGES" && pwd -P)")
# A git worktree's .git may point outside the repo (SourceLink reads it).
if command -v git >/dev/null 2>&1; then
  gitdir=$(git -C "$REPO_ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  [[ -n $gitdir && -d $gitdir ]] && mounts+=("$(cd -- "$gitdir" && pwd -P)")
fi
case "$WORKDIR/" in
  "$REPO_ROOT"/*|/tmp/*) ;;
  *) mounts+=("$WORKDIR") ;;
esac
# The llama.cpp sid root, so tests in here can start eng/llama-server.sh.
llama_root=${TRAININSIGHT_LLAMA_ROOT:-/var/tmp/traininsight/sid}
[[ -d $llama_root ]] && mounts+=("$(cd -- "$llama_root" && pwd -P)")
if [[ -n ${TRAININSIGHT_TORCH_EXTRA_MOUNTS:-} ]]; then
  IFS=: read -r -a extra <<<"$TRAININSIGHT_TORCH_EXTRA_MOUNTS"
  for m in "${extra[@]}"; do [[ -d $m ]] && mounts+=("$(cd -- "$m" && pwd -P)"); done
fi
# Never bind something over the root's own system directories.
for m in "${mounts[@]}"; do
  case "$m" in
    /|/usr|/usr/lib|/usr/lib/*-linux-gnu|/usr/bin|/bin|/lib|/lib64|/etc|/var|/proc|/dev|/sys)
      die "refusing to bind-mount system directory $m into the root" ;;
  esac
done

# --- environment for the command ---
envs=(
  "PATH=$DOTNET_DIR:$home/.dotnet/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  "HOME=$home"
  "DOTNET_ROOT=$DOTNET_DIR"
  # No long-lived MSBuild/compiler servers left behind inside the namespace.
  "MSBUILDDISABLENODEREUSE=${MSBUILDDISABLENODEREUSE:-1}"
  "DOTNET_CLI_USE_MSBUILD_SERVER=${DOTNET_CLI_USE_MSBUILD_SERVER:-0}"
  "UseSharedCompilation=${UseSharedCompilation:-false}"
  "TRAININSIGHT_TORCH_ENV=chroot"
)
passenv_re='^(TERM|COLORTERM|NO_COLOR|FORCE_COLOR|COLUMNS|LINES|LANG|LANGUAGE|LC_[A-Z_]+|TZ|USER|LOGNAME|CI|TF_BUILD|GITHUB_[A-Z_]+|RUNNER_[A-Z_]+|BUILD_[A-Z_]+|SYSTEM_[A-Z_]+|AGENT_[A-Z_]+|GITLAB_CI|CI_[A-Z_]+|BUILDKITE|BUILDKITE_[A-Z_]+|JENKINS_URL|TEAMCITY_VERSION|(http|https|ftp|all|no)_proxy|(HTTP|HTTPS|FTP|ALL|NO)_PROXY|SSL_CERT_FILE|SSL_CERT_DIR|DOTNET_[A-Za-z0-9_]+|NUGET_[A-Za-z0-9_]+|MSBUILD[A-Za-z0-9_]*|TRAININSIGHT_[A-Za-z0-9_]+|TORCHSHARP_[A-Za-z0-9_]+|TORCH_[A-Za-z0-9_]+|VSTEST_[A-Za-z0-9_]+|ASPNETCORE_[A-Za-z0-9_]+|OMP_[A-Z_]+|MKL_[A-Z_]+|OPENBLAS_NUM_THREADS)$'
IFS=' ' read -r -a passenv_extra <<<"${TRAININSIGHT_TORCH_PASSENV:-}"
while IFS= read -r name; do
  case "$name" in PATH|HOME|DOTNET_ROOT|MSBUILDDISABLENODEREUSE|DOTNET_CLI_USE_MSBUILD_SERVER) continue ;; esac
  keep=0
  [[ $name =~ $passenv_re ]] && keep=1
  for x in "${passenv_extra[@]}"; do [[ $name == "$x" ]] && keep=1; done
  [[ $keep -eq 1 ]] && envs+=("$name=${!name}")
done < <(compgen -e)

# --- enter the namespace (as root; via sudo when we are not) ---
userspec="" sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "chroot mode needs root or sudo"
  sudo=(sudo)
  userspec="$(id -u):$(id -g)"   # drop back to the caller inside the root
fi
exec "${sudo[@]}" unshare --mount --propagation private -- \
  "$SELF" --in-namespace "$TORCH_ROOT" "$WORKDIR" "$userspec" \
  "${#mounts[@]}" "${mounts[@]}" "${#envs[@]}" "${envs[@]}" -- "$@"
