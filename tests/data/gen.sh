#!/bin/sh
# Regenerates the engine's test certificates (valid for 100 years). Not run by the build.
set -e
cd "$(dirname "$0")"
days=36500
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days $days -subj "/CN=ussl test CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
leaf() { # name keyopts
  openssl req -newkey $2 -nodes -keyout $1.key -out $1.csr -subj "/CN=localhost" 2>/dev/null
  printf "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n" > ext.cnf
  openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $1.pem -days $days -extfile ext.cnf 2>/dev/null
  rm -f $1.csr ext.cnf
}
leaf ec "ec -pkeyopt ec_paramgen_curve:P-256"
leaf rsa "rsa:2048"
rm -f ca.srl
