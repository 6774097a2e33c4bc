#!/usr/bin/env bash
# Microsoft's OpenLDAP tutorial through attrmap, from a fresh clone: build attrmap, configure a
# slapd of its own in a temporary folder (the core, cosine, inetorgperson and nis schemas, the
# accesslog overlay, StartTLS with a certificate of a test authority made by openssl), serve it through
# `attrmap serve --config Examples/ldap/serve.yaml`, and provision the example's users as Entra
# would with the tutorial's mappings (attrmap transform's requests): first as inetOrgPerson
# entries, then as POSIX accounts, a display name changed, a group and its members; every result
# read back with ldapsearch. Exits 0 only if every step worked.
set -euo pipefail
cd "$(dirname "$0")/../.."
example=Examples/ldap

. Scripts/build-step.sh

echo "[1/4] system packages: Scripts/install-system-packages.sh installs what is missing (slapd, ldap-utils, …)"
./Scripts/install-system-packages.sh

log=.build/ldap-build.log
build_step "[2/4] building attrmap (release; a first build takes 10 to 20 minutes on 2 cores; log: $log)" "$log" \
    swift build -c release --product attrmap
attrmap=.build/release/attrmap

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "  failed; the host said:"; tail -n 20 "$work/host.log" 2> /dev/null | sed "s/^/    /"' ERR

# Secrets live in the environment (and, for the command-line tools, a file) only.
export LDAP_PASSWORD="slapd-$RANDOM$RANDOM$RANDOM"
export ATTRMAP_LDAP_TOKEN="host-token-$RANDOM$RANDOM$RANDOM"
(umask 077; printf "%s" "$LDAP_PASSWORD" > "$work/admin.password")
export LDAP_HOST=127.0.0.1 LDAP_PORT=$((30000 + RANDOM % 10000))
# A certificate authority of the walkthrough's own, and the server's certificate for 127.0.0.1.
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=attrmap walkthrough CA" \
    -keyout "$work/tls/ca.key.pem" -out "$work/tls/ca.cert.pem" 2> /dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$work/tls/server.key.pem" -out "$work/tls/server.csr" 2> /dev/null
openssl x509 -req -in "$work/tls/server.csr" -CA "$work/tls/ca.cert.pem" -CAkey "$work/tls/ca.key.pem" -CAcreateserial -days 1 \
    -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') -out "$work/tls/server.cert.pem" 2> /dev/null
export LDAP_CA_FILE="$work/tls/ca.cert.pem"

echo "[3/4] slapd on ldap://127.0.0.1:$LDAP_PORT (StartTLS), configured in $work"
mkdir -p "$work/slapd.d" "$work/data" "$work/accesslog"
cat > "$work/config.ldif" <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $work/slapd.pid
olcTLSCertificateFile: $work/tls/server.cert.pem
olcTLSCertificateKeyFile: $work/tls/server.key.pem

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: accesslog

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif
include: file:///etc/ldap/schema/nis.ldif

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: cn=accesslog
olcRootDN: cn=admin,dc=contoso,dc=lab
olcDbDirectory: $work/accesslog
olcDbIndex: reqStart eq

dn: olcDatabase={2}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {2}mdb
olcSuffix: dc=contoso,dc=lab
olcRootDN: cn=admin,dc=contoso,dc=lab
olcRootPW: $LDAP_PASSWORD
olcDbDirectory: $work/data
olcDbIndex: objectClass eq
olcDbIndex: uid,mail,cn eq
olcAccess: {0}to attrs=userPassword by anonymous auth by self write by * none
olcAccess: {1}to * by users read by * none

dn: olcOverlay={0}accesslog,olcDatabase={2}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcAccessLogConfig
olcOverlay: {0}accesslog
olcAccessLogDB: cn=accesslog
olcAccessLogOps: writes
olcAccessLogSuccess: TRUE
LDIF
/usr/sbin/slapd -Tadd -n0 -F "$work/slapd.d" -l "$work/config.ldif" > /dev/null
/usr/sbin/slapd -F "$work/slapd.d" -h "ldap://127.0.0.1:$LDAP_PORT/" -d 0 > "$work/slapd.log" 2>&1 &
pids+=($!)
ldap() { "$1" -x -H "ldap://127.0.0.1:$LDAP_PORT" -D cn=admin,dc=contoso,dc=lab -y "$work/admin.password" "${@:2}"; }
for _ in $(seq 1 100); do ldap ldapwhoami > /dev/null 2>&1 && break; sleep 0.1; done
ldap ldapadd > /dev/null <<LDIF
dn: dc=contoso,dc=lab
objectClass: dcObject
objectClass: organization
o: Contoso
dc: contoso

dn: ou=Groups,dc=contoso,dc=lab
objectClass: organizationalUnit
ou: Groups
LDIF
show() { ldap ldapsearch -LLL -o ldif-wrap=no -b dc=contoso,dc=lab "$@" | sed 's/^/    /'; }

echo "[4/4] attrmap serve --config $example/serve.yaml, and the tutorial's cycle"
"$attrmap" serve --config "$example/serve.yaml" --port 0 --cache "$work/cache" --log-level warning 2> "$work/host.log" &
pids+=($!)
host=$(wait_for "$work/host.log" 'http://127\.0\.0\.1:[0-9]+/ecma2host_LDAP/scim')
curl -fs -o /dev/null -H "Authorization: Bearer $ATTRMAP_LDAP_TOKEN" "$host/Users?count=0"   # the first import is done
echo "  the host serves $host"
echo
echo "== the tutorial's first part: inetOrgPerson entries ($example/mapping.yaml)"
"$attrmap" transform -m "$example/mapping.yaml" --no-steps "$example/users.json" 2> /dev/null | python3 "$example/send.py" "$host"
show "(objectClass=inetOrgPerson)" cn sn mail objectClass
echo
echo "== Britta's display name changes: cn keeps the DN's value beside it (else: namingViolation)"
curl -fs -o /dev/null -X PATCH -H "Authorization: Bearer $ATTRMAP_LDAP_TOKEN" -H 'Content-Type: application/scim+json' \
    -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:cn","value":"Britta Simon-Lee"}]}' \
    "$host/Users/cn=bsimon,dc=contoso,dc=lab"
show "(cn=bsimon)" cn
echo
echo "== the tutorial's second part: POSIX accounts ($example/mapping-posix.yaml), after deleting the first ones"
for user in cn=bsimon,dc=contoso,dc=lab cn=alee,dc=contoso,dc=lab; do
    curl -fs -X DELETE -H "Authorization: Bearer $ATTRMAP_LDAP_TOKEN" "$host/Users/$user"
done
"$attrmap" transform -m "$example/mapping-posix.yaml" --no-steps "$example/users.json" 2> /dev/null | python3 "$example/send.py" "$host"
show "(objectClass=posixAccount)" objectClass uid uidNumber gidNumber homeDirectory
(umask 077; printf "%s" "Initial-Pass-1" > "$work/alee.password")
echo "  ldapwhoami as Ann with the initial password: $(ldapwhoami -x -H "ldap://127.0.0.1:$LDAP_PORT" -D cn=alee,dc=contoso,dc=lab -y "$work/alee.password")"
echo
echo "== a group, created by its display name, and its members by PATCH"
group=$(curl -fs -H "Authorization: Bearer $ATTRMAP_LDAP_TOKEN" -H 'Content-Type: application/scim+json' \
    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Finance"}' "$host/Groups" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
curl -fs -o /dev/null -X PATCH -H "Authorization: Bearer $ATTRMAP_LDAP_TOKEN" -H 'Content-Type: application/scim+json' \
    -d '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"cn=alee,dc=contoso,dc=lab"},{"value":"cn=bsimon,dc=contoso,dc=lab"}]}]}' \
    "$host/Groups/$group"
show "(objectClass=groupOfNames)" member
echo
echo "Every step worked."
