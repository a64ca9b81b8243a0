"""The smallest agency application for the webhook connector: Python's standard library only.

It checks each delivery's X-Lapor-Signature, keeps each event once (by its id), answers with its
own reference, and a second after a new assignment posts back, signed, that it accepted it and
followed it up. Run it next to the connector:

    LAPOR_SECRET=<the connector's settings.secret> LAPOR_UPDATES_URL=http://127.0.0.1:8088/updates \
        python3 agency_app.py 9000        # then settings.url: http://127.0.0.1:9000/
"""

import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ["LAPOR_SECRET"].encode()
UPDATES_URL = os.environ.get("LAPOR_UPDATES_URL")
events: dict[str, dict] = {}  # your database: event id -> event


def signature(timestamp: int, body: bytes) -> str:
    return hmac.new(SECRET, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_by_the_hub(header: str, body: bytes) -> bool:
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    t = next((v for k, v in parts if k.strip() == "t" and v.isdigit()), None)
    if t is None or abs(time.time() - int(t)) > 300:  # a stale or replayed request
        return False
    return any(k.strip() == "v1" and hmac.compare_digest(signature(int(t), body), v) for k, v in parts)


def post_updates(updates: list[dict]) -> None:
    body, t = json.dumps({"updates": updates}).encode(), int(time.time())
    request = urllib.request.Request(UPDATES_URL, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Lapor-Signature": f"t={t},v1={signature(t, body)}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        print("hub answered", answer.status, answer.read().decode(), flush=True)


class AgencyApp(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not signed_by_the_hub(self.headers.get("X-Lapor-Signature", ""), body):
            return self.answer(401, {"error": "bad signature"})
        event = json.loads(body)
        if event["type"] != "ping" and event["id"] not in events:  # a redelivery is stored once
            events[event["id"]] = event
            if event["type"] == "ComplaintDispositioned" and UPDATES_URL:
                tracking_id = event["tracking_id"]
                threading.Timer(1.0, post_updates, [[
                    {"update_id": f"{event['id']}-accepted", "type": "ComplaintAccepted", "tracking_id": tracking_id},
                    {"update_id": f"{event['id']}-visited", "type": "FollowUpRecorded", "tracking_id": tracking_id,
                     "note": "Petugas sudah meninjau lokasi"}]]).start()
        self.answer(200, {"reference": f"APP-{len(events)}"})

    def answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000), AgencyApp).serve_forever()
