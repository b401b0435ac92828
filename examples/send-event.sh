#!/usr/bin/env bash
# Send an EventBridge event to Tocsin with PutEvents.
#
#   examples/send-event.sh FILE [URL]
#
# FILE is either an EventBridge event envelope (as delivered by EventBridge: source,
# detail-type, detail, resources, time, ...), which is turned into a one-entry PutEvents
# request, or a PutEvents request body ({"Entries": [...]}), which is sent as it is.
# URL defaults to $TOCSIN_URL, else http://127.0.0.1:8787. The access key comes from the
# AWS shared-credentials file $AWS_SHARED_CREDENTIALS_FILE (default: data/admin-credentials,
# which `make run` writes on its first start), profile $AWS_PROFILE (default: tocsin).
#
# Example:
#   examples/send-event.sh examples/events/cloudwatch-alarm-state-change-single-metric.json
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
FILE="$1"
URL="${2:-${TOCSIN_URL:-http://127.0.0.1:8787}}"
URL="${URL%/}/"
CREDENTIALS="${AWS_SHARED_CREDENTIALS_FILE:-$(dirname "$0")/../data/admin-credentials}"
PROFILE="${AWS_PROFILE:-tocsin}"
# Read as a bearer token (never printed).
TOKEN="$(python3 - "$CREDENTIALS" "$PROFILE" <<'PY'
import configparser
import sys

parser = configparser.ConfigParser()
if not parser.read(sys.argv[1]):
    sys.exit(f"send-event: no credentials file {sys.argv[1]} (start tocsin once, or set AWS_SHARED_CREDENTIALS_FILE)")
section = parser[sys.argv[2]]
print(f"{section['aws_access_key_id']}:{section['aws_secret_access_key']}")
PY
)"

BODY="$(python3 - "$FILE" <<'PY'
import json
import sys
from datetime import datetime

with open(sys.argv[1], encoding="utf-8") as f:
    doc = json.load(f)

if isinstance(doc, dict) and "Entries" in doc:
    request = doc  # already a PutEvents request
else:
    for key in ("source", "detail-type", "detail"):
        if key not in doc:
            sys.exit(f"send-event: {sys.argv[1]} is not an EventBridge event (no '{key}')")
    entry = {
        "Source": doc["source"],
        "DetailType": doc["detail-type"],
        # PutEvents carries the detail as a JSON string.
        "Detail": json.dumps(doc["detail"]),
    }
    if doc.get("resources"):
        entry["Resources"] = doc["resources"]
    if doc.get("time"):
        # awsJson1.1 timestamps are epoch seconds.
        t = datetime.fromisoformat(doc["time"].replace("Z", "+00:00"))
        entry["Time"] = int(t.timestamp())
    request = {"Entries": [entry]}

print(json.dumps(request))
PY
)"

echo "POST ${URL} (AWSEvents.PutEvents) <- ${FILE}" >&2
curl -sS --fail-with-body \
    -X POST "$URL" \
    -H @- \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AWSEvents.PutEvents' \
    --data-binary "$BODY" <<<"Authorization: Bearer ${TOKEN}"
echo
