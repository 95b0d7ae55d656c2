"""An insider with sqlite3 and Python rewrites a registry's history so that its chain checks out.

    python3 rewrite_chain.py REGISTRY.sqlite "SQL run first" [--forge-receipts | --drop-receipts]

It runs the SQL (say, an UPDATE of one PHQ-9 score and of the audit row that recorded it) with the
append-only triggers out of the way, then recomputes every audit row's hash as KetaReg does
(SHA-256 over the previous hash and each field as `<byte length>:<bytes>|`, or `-|` for none),
rewriting each stored export's `auditChainHead` and digest to the new chain as it goes (and the
digest its build-export audit row records), and puts the triggers back as they were. With
--forge-receipts it also moves each kept receipt's head to the new chain (it cannot sign them);
with --drop-receipts it deletes them. It prints how many rows it rehashed.
"""
import hashlib
import json
import sqlite3
import sys


def field(value):
    if value is None:
        return b"-|"
    data = value.encode()
    return str(len(data)).encode() + b":" + data + b"|"


def main():
    path, tamper = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else ""
    db = sqlite3.connect(path)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.executescript(tamper)
    previous = "0" * 64
    renamed = {}
    rows = db.execute(
        "SELECT id, at, actor, account, action, entity, entity_id, patient, before, after, reason, hash FROM audit ORDER BY id"
    ).fetchall()
    for row in rows:
        row = list(row)
        if row[4] == "build-export" and row[5] == "export":
            payload, = db.execute("SELECT payload FROM outbox WHERE id = ?", (row[6],)).fetchone()
            text = payload.decode()
            for old, new in renamed.items():
                text = text.replace(old, new)
            digest = hashlib.sha256(text.encode()).hexdigest()
            db.execute("UPDATE outbox SET payload = ?, payload_sha256 = ? WHERE id = ?", (text.encode(), digest, row[6]))
            after = json.loads(row[9])
            after["payloadSha256"] = digest
            row[9] = json.dumps(after, sort_keys=True, separators=(",", ":"))
        canonical = previous.encode() + b"".join(field(str(row[0]) if i == 0 else row[i]) for i in range(11))
        new = hashlib.sha256(canonical).hexdigest()
        if new != row[11]:
            renamed[row[11]] = new
        db.execute("UPDATE audit SET after = ?, hash = ? WHERE id = ?", (row[9], new, row[0]))
        previous = new
    if mode == "--forge-receipts":
        for export, head, body in db.execute("SELECT export_id, chain_head, body FROM receipt").fetchall():
            head = renamed.get(head, head)
            forged = json.loads(body)
            forged["auditChainHead"] = head
            db.execute(
                "UPDATE receipt SET chain_head = ?, body = ? WHERE export_id = ?",
                (head, json.dumps(forged, sort_keys=True, separators=(",", ":")), export))
    elif mode == "--drop-receipts":
        db.execute("DELETE FROM receipt")
    for _, sql in triggers:
        db.execute(sql)
    db.commit()
    print(len(renamed))


main()
