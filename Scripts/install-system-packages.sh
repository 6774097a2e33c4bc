#!/usr/bin/env bash
# Installs the Debian packages attrmap builds with, when they are missing:
#   libedit-dev   line editing, history and completion for `attrmap repl`
#   postgresql    the PostgreSQL server the SQL connector's tests start on loopback
#   python3-venv  scim2-tester and scim2-server (from PyPI) for the conformance run and the benchmark
#   curl          the HTTPS test's client
#   slapd         the OpenLDAP server the LDAP connector's tests start on loopback (its own
#                 system instance is not configured: the tests configure theirs in a folder)
#   ldap-utils    ldapadd, ldapsearch, ldapwhoami: the tests' independent LDAP clients
# Runs apt-get as root, or through sudo.
set -euo pipefail
missing=()
[ -e /usr/include/editline/readline.h ] || missing+=(libedit-dev)
[ -x /usr/bin/pkg-config ] || missing+=(pkg-config)
ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || missing+=(postgresql)
python3 -c 'import venv, ensurepip' > /dev/null 2>&1 || missing+=(python3-venv)
[ -x /usr/bin/curl ] || missing+=(curl)
[ -x /usr/sbin/slapd ] || missing+=(slapd)
[ -x /usr/bin/ldapsearch ] || missing+=(ldap-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]}" >&2
$sudo apt-get update -qq
# slapd's package would otherwise ask for, and set up, a directory of its own.
echo "slapd slapd/no_configuration boolean true" | $sudo debconf-set-selections
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
