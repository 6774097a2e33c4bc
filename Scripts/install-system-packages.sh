#!/usr/bin/env bash
# Installs the Debian packages attrmap builds with, when they are missing:
#   libedit-dev   line editing, history and completion for `attrmap repl`
# Runs apt-get as root, or through sudo.
set -euo pipefail
missing=()
[ -e /usr/include/editline/readline.h ] || missing+=(libedit-dev)
[ -x /usr/bin/pkg-config ] || missing+=(pkg-config)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
