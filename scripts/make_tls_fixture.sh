#!/bin/sh
# Makes the self-signed certificate and key the portal's TLS test serves
# with (fixtures/tls/): for tests only, never for a real server. Run once;
# the files are committed.
set -eu
dir=$(dirname "$0")/../fixtures/tls
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$dir/test-key.pem" -out "$dir/test-cert.pem" 2>/dev/null
echo "$dir/test-cert.pem $dir/test-key.pem"
