#!/usr/bin/env python3
"""Makes crates/tocsin-server/tests/fixtures/schema-0017/: a database as the release before
migration 0018 left it, with a response plan, a rule and target, an incident opened by an
alarm event, and its key file and admin credentials.

How: a current `tocsin serve` writes the data through its API, then the database is taken
back to schema 0017 by undoing 0018 (its two indexes, its `_sqlx_migrations` row); 0001-0017
and every stored document format are unchanged since that release, so the file is the one
that release would have written. Run again only to add data; the migration test opens a
copy and upgrades it.

Usage: scripts/make-migration-fixture.py [path/to/tocsin]
"""
import json, os, shutil, socket, sqlite3, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/tocsin")
OUT = os.path.join(ROOT, "crates/tocsin-server/tests/fixtures/schema-0017")

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

tmp = tempfile.mkdtemp()
db = os.path.join(tmp, "tocsin.db")
port = free_port()
base = f"http://127.0.0.1:{port}"
proc = subprocess.Popen([BIN, "serve", "--listen", f"127.0.0.1:{port}", "--database-url", f"sqlite://{db}", "--web-dir", "/nonexistent"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1); break
        except Exception:
            time.sleep(0.1)
    creds = open(os.path.join(tmp, "admin-credentials")).read()
    kid = creds.split("aws_access_key_id = ")[1].split()[0]
    secret = creds.split("aws_secret_access_key = ")[1].split()[0]
    def call(path, body, target=None):
        headers = {"Authorization": f"Bearer {kid}:{secret}", "Content-Type": "application/json"}
        if target:
            headers.update({"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
        req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers, method="POST")
        return json.loads(urllib.request.urlopen(req, timeout=10).read() or b"{}")
    plan = call("/createResponsePlan", {"name": "db-down", "displayName": "Database down",
                "incidentTemplate": {"title": "Database down", "impact": 2}})["arn"]
    pattern = {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"]}
    call("/", {"Name": "db-alarms", "EventPattern": json.dumps(pattern)}, "AWSEvents.PutRule")
    call("/", {"Rule": "db-alarms", "Targets": [{"Id": "plan", "Arn": plan}]}, "AWSEvents.PutTargets")
    event = json.load(open(os.path.join(ROOT, "examples/events/cloudwatch-alarm-state-change-single-metric.json")))
    entry = {"Source": event["source"], "DetailType": event["detail-type"], "Detail": json.dumps(event["detail"]), "Resources": event["resources"]}
    call("/", {"Entries": [entry, entry]}, "AWSEvents.PutEvents")
    time.sleep(1)
finally:
    proc.terminate(); proc.wait(timeout=20)
conn = sqlite3.connect(db)
conn.execute("DROP INDEX IF EXISTS events_received")
conn.execute("DROP INDEX IF EXISTS client_tokens_created")
conn.execute("DELETE FROM _sqlx_migrations WHERE version >= 18")
conn.commit()
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
conn.execute("PRAGMA journal_mode=DELETE")
conn.execute("VACUUM")
conn.close()
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
for name in ("tocsin.db", "server.key", "admin-credentials"):
    shutil.copy(os.path.join(tmp, name), os.path.join(OUT, name))
print("wrote", OUT, sorted(os.listdir(OUT)))
