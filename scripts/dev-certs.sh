#!/usr/bin/env bash
# Development certificates for fraudgate's mutual TLS (DESIGN §5), made with
# openssl:
#
#   scripts/dev-certs.sh [DIR]                  a CA, a server certificate and
#                                               one client certificate per role
#   scripts/dev-certs.sh [DIR] issue ROLE NAME  one more client certificate,
#                                               e.g. for a bank: bank vcb-core
#   scripts/dev-certs.sh DIR nats-server HOST...
#                                               nats-server.pem and its key for
#                                               the NATS servers of a cluster
#                                               (deploy/cluster/nats.conf)
#
# DIR defaults to ./var/certs. It gets ca.pem and ca-key.pem (the CA: keep the
# key private), server.pem and server-key.pem (for localhost, 127.0.0.1 and
# ::1), and <role>.pem and <role>-key.pem for the roles bank, police, analyst
# and admin, and analyst.p12 (password "fraudgate") for a browser to open the
# analyst console. A client's identity is the URI SAN spiffe://fraudgate/ROLE/NAME;
# `issue` writes NAME.pem and NAME-key.pem. Files that exist are kept, so a
# second run changes nothing; delete DIR to start over.
#
# Role `monitor` is a metrics scraper's (e.g. `issue monitor prometheus`): it
# may call no RPC, and sees the per-caller series of /metrics.
#
# Role `node` is not a caller of fraudgate (its servers refuse it): it is a
# cluster node's identity towards NATS (DESIGN §9), e.g. `issue node
# fraudgate-0`, which nats.conf maps to a user with the permissions of
# deploy/cluster/nats-permissions.conf; the node reads it as node.pem and
# node-key.pem from its cluster.tls_dir, next to ca.pem.
#
# Keys are ECDSA P-256; certificates are valid for DAYS (env, default 825)
# days. These are for development and tests: a bank or police unit gets its
# certificate from the operator's own CA.
set -euo pipefail

dir=${1:-./var/certs}
days=${DAYS:-825}
roles=(bank police analyst admin)

die() {
  echo "dev-certs.sh: $*" >&2
  exit 1
}

command -v openssl >/dev/null 2>&1 || die "openssl not found (Debian: apt-get install openssl)"
mkdir -p "$dir"
chmod 700 "$dir"

# A key is made 0600 (under umask 077, so it is never readable to others, not
# even for a moment); fraudgate serve refuses a key others may read.
new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

# sign NAME SUBJECT EXTENSIONS: NAME.pem from a new NAME-key.pem, signed by the CA.
sign() {
  local name=$1 subject=$2 extensions=$3
  local csr
  csr=$(mktemp)
  new_key "$dir/$name-key.pem"
  openssl req -new -key "$dir/$name-key.pem" -subj "$subject" -out "$csr"
  openssl x509 -req -in "$csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" \
    -CAcreateserial -days "$days" -sha256 -out "$dir/$name.pem" \
    -extfile <(printf '%s\n' "$extensions") 2>/dev/null
  rm -f "$csr"
}

client() {
  local role=$1 name=$2 file=$3
  [[ $role =~ ^(bank|police|analyst|admin|monitor|node)$ ]] ||
    die "role must be bank, police, analyst, admin, monitor or node (got '$role')"
  [[ $name =~ ^[a-z0-9][a-z0-9._-]*$ ]] ||
    die "name must be lower-case letters, digits, '.', '_' or '-' (got '$name')"
  [[ -f $dir/$file.pem ]] && return
  sign "$file" "/O=fraudgate/OU=$role/CN=$name" \
    "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=URI:spiffe://fraudgate/$role/$name"
  echo "dev-certs.sh: $dir/$file.pem: spiffe://fraudgate/$role/$name"
}

if [[ ! -f $dir/ca.pem ]]; then
  new_key "$dir/ca-key.pem"
  openssl req -x509 -new -key "$dir/ca-key.pem" -sha256 -days "$days" \
    -subj "/O=fraudgate/CN=fraudgate development CA" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
  echo "dev-certs.sh: $dir/ca.pem: a new development CA"
fi

if [[ ${2:-} == nats-server ]]; then
  (($# >= 3)) || die "usage: dev-certs.sh DIR nats-server HOST..."
  [[ -f $dir/nats-server.pem ]] && exit 0
  sans=$(printf 'DNS:%s,' "${@:3}")
  # NATS servers also dial each other's cluster routes: client and server.
  sign nats-server "/O=fraudgate/CN=$3" \
    "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=${sans%,}"
  echo "dev-certs.sh: $dir/nats-server.pem: ${*:3}"
  exit 0
fi
if [[ ${2:-} == issue ]]; then
  (($# == 4)) || die "usage: dev-certs.sh DIR issue ROLE NAME"
  client "$3" "$4" "$4"
  exit 0
fi
(($# <= 1)) || die "usage: dev-certs.sh [DIR] | dev-certs.sh DIR issue ROLE NAME | dev-certs.sh DIR nats-server HOST..."

if [[ ! -f $dir/server.pem ]]; then
  sign server "/O=fraudgate/CN=localhost" \
    "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
  echo "dev-certs.sh: $dir/server.pem: localhost, 127.0.0.1, ::1"
fi
for role in "${roles[@]}"; do
  client "$role" "dev-$role" "$role"
done
# Browsers take a client certificate as PKCS#12: the analyst console.
if [[ ! -f $dir/analyst.p12 ]]; then
  (umask 077 && openssl pkcs12 -export -in "$dir/analyst.pem" \
    -inkey "$dir/analyst-key.pem" -certfile "$dir/ca.pem" \
    -name "fraudgate dev-analyst" -passout pass:fraudgate \
    -out "$dir/analyst.p12")
  echo "dev-certs.sh: $dir/analyst.p12: for a browser (password: fraudgate)"
fi
