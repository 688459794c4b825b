#!/usr/bin/env bash
# Install the Debian packages of the given groups from system-packages.txt, when missing.
#
#   scripts/system-packages.sh pdf            # what `make build` needs
#   scripts/system-packages.sh pdf browser    # what `make test` needs
#   scripts/system-packages.sh --list pdf     # print the packages of a group and exit
#
# As root, missing packages are installed with apt-get, waiting for the dpkg lock when another
# apt process holds it. Not root but with password-less sudo (GitHub's runners): the same through
# sudo. Otherwise one line names what to install, and the script succeeds so that the rest of the
# build runs where it can (the step that needs the package then says what is missing).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
list_file="$here/system-packages.txt"
lock_wait=600   # seconds to wait for another apt/dpkg process
retry_pause="${SYSTEM_PACKAGES_RETRY_SECONDS:-10}"

list_only=0
if [ "${1:-}" = "--list" ]; then list_only=1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--list] GROUP..." >&2; exit 2; }

wanted=()
for group in "$@"; do
  found=0
  while read -r g pkg _; do
    case "$g" in ''|'#'*) continue ;; esac
    if [ "$g" = "$group" ]; then wanted+=("$pkg"); found=1; fi
  done < "$list_file"
  [ $found = 1 ] || { echo "$0: no group '$group' in system-packages.txt" >&2; exit 2; }
done
if [ $list_only = 1 ]; then printf '%s\n' "${wanted[@]}"; exit 0; fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system packages: not a Debian system; make sure these (or your system's equivalents) are installed: ${wanted[*]}"
  exit 0
fi
missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  [ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" = 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "system packages missing: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
  exit 0
fi

# apt-get waits up to $lock_wait s for the dpkg lock; `update` takes the lists lock, which older
# apt does not wait for, so it is retried while another apt process holds it.
apt=("${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$lock_wait" -qq)
for attempt in $(seq 1 60); do
  if out="$("${apt[@]}" update 2>&1)"; then break; fi
  if ! grep -q "Could not get lock" <<<"$out" || [ "$attempt" = 60 ]; then echo "$out" >&2; exit 1; fi
  echo "system packages: another apt process holds the lock; waiting ($attempt)"
  sleep "$retry_pause"
done
echo "system packages: installing ${missing[*]}"
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
