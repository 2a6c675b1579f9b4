#!/usr/bin/env bash
# The standalone simulated Azure answers plain curl: get a token from its
# token endpoint with the demo service principal, then list subscriptions.
# Then the same through its HTTPS proxy, under Azure's own host names (what
# az and the Python SDK use), and check that the proxy refuses other hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/amlauth-tui" ./cmd/amlauth-tui
port=$(( 20000 + RANDOM % 20000 ))
pport=$(( port + 1 ))
"$tmp/amlauth-tui" emulator --listen "127.0.0.1:$port" --proxy "127.0.0.1:$pport" --ca-out "$tmp/ca.pem" >"$tmp/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  [ -s "$tmp/ca.pem" ] && grep -q "client_secret=" "$tmp/out.txt" && break
  sleep 0.1
done
cat "$tmp/out.txt"

# The standalone output prints the exact commands; take the values from it.
tenant=$(grep -oE '/[0-9a-f-]{36}/oauth2/v2.0/token' "$tmp/out.txt" | head -1 | cut -d/ -f2)
client_id=$(grep -oE 'client_id=[0-9a-f-]{36}' "$tmp/out.txt" | head -1 | cut -d= -f2)
secret=$(grep -oE 'client_secret=[^ ]+' "$tmp/out.txt" | head -1 | cut -d= -f2-)
[ -n "$tenant" ] && [ -n "$client_id" ] && [ -n "$secret" ] || { echo "could not read the printed commands"; exit 1; }

token=$(curl -sS --fail --cacert "$tmp/ca.pem" \
  -d grant_type=client_credentials -d "client_id=$client_id" -d "client_secret=$secret" \
  -d scope=https://management.azure.com/.default \
  "https://127.0.0.1:$port/$tenant/oauth2/v2.0/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
subs=$(curl -sS --fail --cacert "$tmp/ca.pem" -H "Authorization: Bearer $token" \
  "https://127.0.0.1:$port/subscriptions?api-version=2022-12-01")
echo "$subs" | grep -q '"subscriptionId"' || { echo "no subscriptions in: $subs"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/ca.pem" \
  "https://127.0.0.1:$port/subscriptions?api-version=2022-12-01")
[ "$code" = 401 ] || { echo "unauthenticated request got $code, want 401"; exit 1; }
echo "e2e-curl: token + subscriptions listed; unauthenticated request refused (401)"

# The cloud config for --cloud-config / az cloud register, next to the CA.
grep -q "\"resourceManager\": \"https://127.0.0.1:$port/\"" "$tmp/ca.cloud.json" ||
  { echo "no cloud config next to the CA:"; cat "$tmp/ca.cloud.json"; exit 1; }

# Through the proxy: Azure's host names, served by the simulated Azure.
px=(--proxy "http://127.0.0.1:$pport" --cacert "$tmp/ca.pem")
issuer=$(curl -sS --fail "${px[@]}" "https://login.microsoftonline.com/$tenant/v2.0/.well-known/openid-configuration" |
  sed -E 's/.*"issuer":"([^"]+)".*/\1/')
[ "$issuer" = "https://login.microsoftonline.com/$tenant/v2.0" ] || { echo "issuer through the proxy: $issuer"; exit 1; }
token=$(curl -sS --fail "${px[@]}" \
  -d grant_type=client_credentials -d "client_id=$client_id" -d "client_secret=$secret" \
  -d scope=https://management.azure.com/.default \
  "https://login.microsoftonline.com/$tenant/oauth2/v2.0/token" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
subs=$(curl -sS --fail "${px[@]}" -H "Authorization: Bearer $token" \
  "https://management.azure.com/subscriptions?api-version=2022-12-01")
echo "$subs" | grep -q '"subscriptionId"' || { echo "no subscriptions through the proxy: $subs"; exit 1; }
if curl -sS "${px[@]}" -o /dev/null "https://example.com/" 2>"$tmp/refused.txt"; then
  echo "the proxy tunnelled to example.com"; exit 1
fi
grep -q 403 "$tmp/refused.txt" || { echo "example.com through the proxy: $(cat "$tmp/refused.txt"), want 403"; exit 1; }
echo "e2e-curl: through the proxy: login.microsoftonline.com and management.azure.com served; example.com refused (403)"
