#!/usr/bin/env bash
# AWS sources against moto with signature checking on: an IAM user and key
# are bootstrapped in moto's no-auth window (INITIAL_NO_AUTH_ACTION_COUNT=3),
# then boto3 puts SecureString risk configs and Alpaca secrets with that key,
# and `riskdesk config check` loads accounts whose risk is "ssm:..." and whose
# credentials are "secretsmanager:...". A wrongly signed request fails at moto,
# so a signer bug fails this test. Also: a wrong secret key, an unknown key id,
# a missing parameter, a risk config in SSM that does not validate, the
# default-secret fallback, container credentials from a loopback endpoint,
# ~/.aws/credentials profiles, no credentials at all; and the SigV4 test
# vectors against botocore (tests/tools/sigv4_oracle.py).
# Skipped (exit 77, saying why) when python3 cannot import moto or boto3.
set -u
: "${RD_BIN:?}" "${RD_SOURCE_DIR:?}"
. "$RD_SOURCE_DIR/tests/integration/common.sh"
python3 -c 'import moto.server, boto3' 2>/dev/null ||
  skip_test "python3 cannot import moto.server and boto3 (no Debian package for moto: pip install 'moto[server]' boto3)"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE \
      AWS_DEFAULT_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
      AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN \
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_ENDPOINT_URL_SSM AWS_ENDPOINT_URL_SECRETS_MANAGER \
      AWS_DEFAULT_REGION EXECUTION_MODE
export HOME="$TMP/home"
mkdir -p "$HOME"
export LOG_LEVEL=info

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {   # wait_port PORT: up to 15 s for something to listen (no request sent)
  python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(150):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# --- the SigV4 vectors against botocore ---
if python3 "$RD_SOURCE_DIR/tests/tools/sigv4_oracle.py" >"$TMP/oracle" 2>&1; then ok; else
  bad "sigv4_oracle.py: the vectors in tests/data/aws4 disagree with botocore"; sed 's/^/    /' "$TMP/oracle" | head -20
fi

# --- moto with signature checking ---
port=$(free_port)
INITIAL_NO_AUTH_ACTION_COUNT=3 python3 -m moto.server -H 127.0.0.1 -p "$port" >"$TMP/moto.log" 2>&1 &
pids+=($!)
if ! wait_port "$port"; then
  echo "FAIL: moto did not start on 127.0.0.1:$port"; sed 's/^/    /' "$TMP/moto.log" | tail -5; exit 1
fi
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL="http://127.0.0.1:$port"

TINY_KEY=PKTINYTEST00000001WXYZ TINY_SECRET=tiny-secret-value-do-not-print
LARGE_KEY=PKLARGETEST0000002ABCD LARGE_SECRET=large-secret-value-do-not-print
OTHER_KEY=PKOTHERTEST000003EFGH OTHER_SECRET=other-secret-value-do-not-print
export TINY_KEY TINY_SECRET LARGE_KEY LARGE_SECRET OTHER_KEY OTHER_SECRET
secret "$TINY_SECRET"
secret "$LARGE_SECRET"
secret "$OTHER_SECRET"
secret secret-not-json
if ! python3 - "$AWS_ENDPOINT_URL" >"$TMP/keys" 2>"$TMP/bootstrap.err" <<'PY'
import json, os, sys
import boto3
ep = sys.argv[1]
def client(name, key, secret):
    return boto3.client(name, region_name="us-east-1", endpoint_url=ep,
                        aws_access_key_id=key, aws_secret_access_key=secret)
# the three unauthenticated actions moto allows: a user, its policy, its key
iam = client("iam", "bootstrap", "bootstrap")
iam.create_user(UserName="riskdesk")
iam.put_user_policy(UserName="riskdesk", PolicyName="riskdesk-read", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ssm:*", "secretsmanager:*", "kms:Decrypt"], "Resource": "*"}]}))
k = iam.create_access_key(UserName="riskdesk")["AccessKey"]
akid, secret = k["AccessKeyId"], k["SecretAccessKey"]
# from here on moto checks every signature
ssm = client("ssm", akid, secret)
sm = client("secretsmanager", akid, secret)
risk = {"tiny": {"max_notional_exposure": "1500", "max_open_positions": 2, "max_contracts_per_trade": 2,
                 "max_daily_loss": "100", "max_risk_per_trade_pct": 0.15},
        "large": {"max_notional_exposure": 10000, "max_open_positions": 5, "max_contracts_per_trade": 10,
                  "max_daily_loss": 500, "max_risk_per_trade_pct": 0.02, "allowed_actions": ["BUY_CALL"]},
        "bad": {"max_open_positions": 0}}
for tier, doc in risk.items():
    ssm.put_parameter(Name=f"/ops-pipeline/dispatcher_config_{tier}", Type="SecureString",
                      Value=json.dumps(doc))
e = os.environ
sm.create_secret(Name="ops-pipeline/alpaca/tiny", SecretString=json.dumps(
    {"api_key": e["TINY_KEY"], "api_secret": e["TINY_SECRET"], "account_name": "tiny-1k",
     "initial_balance": 1000}))
# the default secret, in the deployments' other key names
sm.create_secret(Name="ops-pipeline/alpaca", SecretString=json.dumps(
    {"ALPACA_API_KEY": e["LARGE_KEY"], "ALPACA_SECRET_KEY": e["LARGE_SECRET"],
     "ALPACA_BASE_URL": "https://paper-api.alpaca.markets"}))
sm.create_secret(Name="ops-pipeline/alpaca-paper", SecretString=json.dumps(
    {"key_id": e["OTHER_KEY"], "secret_key": e["OTHER_SECRET"]}))
sm.create_secret(Name="ops-pipeline/not-json", SecretString="PKNOTJSON0000 secret-not-json")
sm.create_secret(Name="ops-pipeline/both-names", SecretString=json.dumps(
    {"api_key": "a", "ALPACA_API_KEY": "b", "api_secret": "c"}))
assert json.loads(ssm.get_parameter(Name="/ops-pipeline/dispatcher_config_tiny",
                                    WithDecryption=True)["Parameter"]["Value"]) == risk["tiny"]
print(akid, secret)
PY
then
  echo "FAIL: bootstrapping moto"; sed 's/^/    /' "$TMP/bootstrap.err" | tail -8; exit 1
fi
read -r AKID SECRET <"$TMP/keys"
export AWS_ACCESS_KEY_ID="$AKID" AWS_SECRET_ACCESS_KEY="$SECRET"
secret "$SECRET" "$TMP/keys"

# account JSON: account NAME TIER CREDENTIALS RISK [SECRET_ACCOUNT_NAME]
account() {
  printf '{"name": "%s", "broker": "alpaca", "tier": "%s", "credentials": "%s", "risk": "%s"' "$1" "$2" "$3" "$4"
  [ -n "${5:-}" ] && printf ', "secret_account_name": "%s"' "$5"
  printf '}'
}
config() {   # config FILE ACCOUNT...
  local f=$1; shift
  local IFS=,
  printf '{"database": "sqlite:%s/rd.db", "accounts": [%s]}\n' "$TMP" "$*" >"$f"
}
secrets_hidden() {   # no secret value in stdout or stderr
  for s in "$TINY_SECRET" "$LARGE_SECRET" "$OTHER_SECRET" "$SECRET" "$TINY_KEY" "$LARGE_KEY" secret-not-json; do
    expect_not_in "$TMP/out" "$s"; expect_not_in "$TMP/err" "$s"
  done
}

# --- two accounts, tiny and large, from SSM and Secrets Manager ---
config "$TMP/two.json" \
  "$(account tiny tiny secretsmanager:ops-pipeline/alpaca/tiny ssm:/ops-pipeline/dispatcher_config_tiny tiny-1k)" \
  "$(account large large secretsmanager:ops-pipeline/alpaca/large ssm:/ops-pipeline/dispatcher_config_large)"
expect_rc 0 "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/out" 'risk (ssm:/ops-pipeline/dispatcher_config_tiny):'
expect_in "$TMP/out" 'risk (ssm:/ops-pipeline/dispatcher_config_large):'
expect_in "$TMP/out" 'max_notional_exposure              1500.00'
expect_in "$TMP/out" 'max_notional_exposure              10000.00'
expect_in "$TMP/out" 'allowed_actions                    BUY_CALL'
expect_in "$TMP/out" 'secretsmanager:ops-pipeline/alpaca/tiny (api_key PK...WXYZ, api_secret ****'
expect_in "$TMP/out" 'secretsmanager:ops-pipeline/alpaca/large (api_key PK...ABCD, api_secret ****, base_url https://paper-api.alpaca.markets)'
# large has no secret of its own: the default one, and the log says so
expect_in "$TMP/err" 'credentials.default'
expect_in "$TMP/err" 'ops-pipeline/alpaca/large'
expect_not_in "$TMP/err" 'not resolved'
secrets_hidden
expect_rc 0 "$RD_BIN" config check --config "$TMP/two.json" --json
if python3 - "$TMP/out" <<'PY'; then ok; else bad "config check --json with AWS sources"; fi
import json, sys
d = json.load(open(sys.argv[1]))
acc = {a["name"]: a for a in d["accounts"]}
assert d["ok"] and acc["tiny"]["credentials"]["resolved"] and acc["large"]["credentials"]["resolved"], d
assert acc["tiny"]["risk_origin"] == "ssm:/ops-pipeline/dispatcher_config_tiny"
assert acc["tiny"]["risk"]["max_open_positions"] == 2 and acc["large"]["risk"]["max_open_positions"] == 5
PY

# the deployments' key_id/secret_key names
config "$TMP/paper.json" "$(account other small secretsmanager:ops-pipeline/alpaca-paper ssm:/ops-pipeline/dispatcher_config_tiny)"
expect_rc 0 "$RD_BIN" config check --config "$TMP/paper.json"
expect_in "$TMP/out" 'secretsmanager:ops-pipeline/alpaca-paper (api_key PK...EFGH'
secrets_hidden

# --- failures ---
# a secret key that is not the one moto holds: the signature does not match
expect_rc 1 env AWS_SECRET_ACCESS_KEY=wrong-secret-key "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" 'accounts[0] "tiny": risk (ssm:/ops-pipeline/dispatcher_config_tiny): SSM parameter "/ops-pipeline/dispatcher_config_tiny": AWS refused the request (SignatureDoesNotMatch'
expect_in "$TMP/err" 'from the environment (AWS_ACCESS_KEY_ID)'
expect_not_in "$TMP/err" 'wrong-secret-key'
# an access key id moto does not know
expect_rc 1 env AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000000 "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" 'AWS refused the request (InvalidClientTokenId'
# a parameter that does not exist is named
config "$TMP/missing.json" "$(account medium medium secretsmanager:ops-pipeline/alpaca/tiny ssm:/ops-pipeline/dispatcher_config_medium)"
expect_rc 1 "$RD_BIN" config check --config "$TMP/missing.json"
expect_in "$TMP/err" 'SSM parameter "/ops-pipeline/dispatcher_config_medium" not found in us-east-1 (ParameterNotFound)'
# a risk config from SSM is validated like an inline one
config "$TMP/bad.json" "$(account tiny tiny secretsmanager:ops-pipeline/alpaca/tiny ssm:/ops-pipeline/dispatcher_config_bad tiny-1k)"
expect_rc 1 "$RD_BIN" config check --config "$TMP/bad.json"
expect_in "$TMP/err" 'accounts[0] "tiny": risk (ssm:/ops-pipeline/dispatcher_config_bad): max_open_positions: 0; expected an integer >= 1'
# credentials that do not resolve: config check warns, naming the secret, never a value
config "$TMP/creds.json" \
  "$(account a tiny secretsmanager:ops-pipeline/other/thing ssm:/ops-pipeline/dispatcher_config_tiny)" \
  "$(account b tiny secretsmanager:ops-pipeline/not-json ssm:/ops-pipeline/dispatcher_config_tiny)" \
  "$(account c tiny secretsmanager:ops-pipeline/both-names ssm:/ops-pipeline/dispatcher_config_tiny)" \
  "$(account d small secretsmanager:ops-pipeline/nothing/small ssm:/ops-pipeline/dispatcher_config_tiny)" \
  "$(account e small secretsmanager:ops-pipeline/alpaca/tiny ssm:/ops-pipeline/dispatcher_config_tiny)"
expect_rc 0 "$RD_BIN" config check --config "$TMP/creds.json"
# the secret names its account: loaded for another one, it is not used
expect_in "$TMP/err" 'secretsmanager:ops-pipeline/alpaca/tiny: the credentials are for account_name "tiny-1k", loaded for account "e"'
expect_not_in "$TMP/out" 'alpaca/tiny (api_key'
expect_in "$TMP/err" 'Secrets Manager secret "ops-pipeline/other/thing" not found in us-east-1 (ResourceNotFoundException)'
expect_in "$TMP/err" 'secretsmanager:ops-pipeline/not-json: the SecretString is not a JSON object (value not shown)'
expect_in "$TMP/err" 'the secret holds both "api_key" and "ALPACA_API_KEY"; keep one'
expect_in "$TMP/err" 'neither the secret "ops-pipeline/nothing/small" nor the default "ops-pipeline/nothing" exists'
secrets_hidden
# and that account does not trade on it: its dispatcher refuses to start
expect_rc 1 "$RD_BIN" dispatch --config "$TMP/creds.json" --account e --once
expect_in "$TMP/err" 'loaded for account "e"'
secrets_hidden
# no region
expect_rc 1 env -u AWS_REGION "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" 'AWS_REGION is not set'
# no credentials anywhere
expect_rc 1 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" 'no AWS credentials'
# half of a key pair
expect_rc 1 env -u AWS_SECRET_ACCESS_KEY "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not'

# --- ~/.aws/credentials ---
mkdir -p "$HOME/.aws"
printf '# riskdesk test\n[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n[wrong]\naws_access_key_id=%s\naws_secret_access_key=nope\n' \
  "$AKID" "$SECRET" "$AKID" >"$HOME/.aws/credentials"
expect_rc 0 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$RD_BIN" config check --config "$TMP/two.json"
expect_rc 1 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=wrong "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" "$HOME/.aws/credentials [wrong]"
expect_in "$TMP/err" 'SignatureDoesNotMatch'
expect_rc 1 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=absent "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" 'AWS_PROFILE=absent: no [absent]'
rm -rf "$HOME/.aws"

# --- container credentials (ECS task role), from a loopback endpoint ---
cport=$(free_port)
python3 - "$cport" "$AKID" "$SECRET" >"$TMP/ecs.log" 2>&1 <<'PY' &
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
port, akid, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/v2/credentials/task-role" or self.headers.get("Authorization") != "ecs-token-123":
            self.send_response(401); self.end_headers(); return
        body = json.dumps({"AccessKeyId": akid, "SecretAccessKey": secret, "RoleArn": "arn:aws:iam::123456789012:role/riskdesk",
                           "Expiration": "2099-01-01T00:00:00Z"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
pids+=($!)
wait_port "$cport" || bad "the fake container credentials endpoint did not start"
ecs=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY
     AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$cport/v2/credentials/task-role")
expect_rc 0 "${ecs[@]}" AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-token-123 "$RD_BIN" config check --config "$TMP/two.json"
echo ecs-token-123 >"$TMP/token"
expect_rc 0 "${ecs[@]}" AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$TMP/token" "$RD_BIN" config check --config "$TMP/two.json"
expect_rc 1 "${ecs[@]}" AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" "answered HTTP 401"
expect_not_in "$TMP/err" "wrong-token"
# http to anything but a loopback or the ECS agent is refused before any request
expect_rc 1 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
  AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.1/creds" "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" 'expected an https URL, or http to a loopback address'
# AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: the host is fixed to the ECS agent
# (http://169.254.170.2, as in the AWS SDKs) and cannot be pointed at a local
# server, so only what is decided before a request is tested here: it must be a
# path, and it is checked ahead of FULL_URI (which would have worked)
expect_rc 1 "${ecs[@]}" AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-token-123 \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="v2/credentials/task-role" "$RD_BIN" config check --config "$TMP/two.json"
expect_in "$TMP/err" "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must be a path starting with '/'"

finish
