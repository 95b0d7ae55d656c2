#!/usr/bin/env python3
"""A research endpoint for KetaReg's tests: a real HTTP(S) server on 127.0.0.1.

It plays a script of answers, one per request, then answers 200. It accepts each Idempotency-Key
once: a request whose key was already accepted gets 409. Every request is logged as one JSON line
(key, what was answered, headers that matter, the body's SHA-256 and the body itself) so that the
tests can check what arrived. It stops by itself after --lifetime seconds.

Script entries: {"status": 503, "retryAfter": "1"}, {"drop": true} (close without answering),
{"delay": 5, "status": 200} (answer late), {"status": 400, "echoHeaders": true} (quote the request's
headers, the bearer token among them, in the answer).
"""
import argparse
import hashlib
import json
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
accepted = set()
script = []
log_path = None
expected_token = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        key = self.headers.get("Idempotency-Key")
        with lock:
            step = script.pop(0) if script else {"status": 200}
            status = step.get("status", 200)
            if step.get("drop"):
                status = None
            elif expected_token is not None and self.headers.get("Authorization") != f"Bearer {expected_token}":
                status = 401
            elif key in accepted and 200 <= status < 300:
                status = 409
            elif 200 <= status < 300:
                accepted.add(key)
            with open(log_path, "a") as log:
                log.write(json.dumps({
                    "key": key, "status": status, "path": self.path,
                    "contentType": self.headers.get("Content-Type"), "userAgent": self.headers.get("User-Agent"),
                    "authorized": self.headers.get("Authorization") == f"Bearer {expected_token}",
                    "sha256": hashlib.sha256(body).hexdigest(), "body": body.decode("utf-8", "replace"),
                }) + "\n")
        if step.get("delay"):
            time.sleep(step["delay"])
        if status is None:
            self.close_connection = True
            self.connection.close()
            return
        answer = json.dumps({"received": key}).encode()
        if step.get("echoHeaders"):
            # A careless endpoint: it quotes the request's headers, the token among them, in its answer.
            answer = json.dumps({"token": self.headers.get("Authorization", "").removeprefix("Bearer "),
                                 "debug": "Authorization: " + self.headers.get("Authorization", ""),
                                 "headers": dict(self.headers.items())}).encode()
        self.send_response(status)
        if "retryAfter" in step:
            self.send_header("Retry-After", step["retryAfter"])
        if "location" in step:
            self.send_header("Location", step["location"])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def main():
    global script, log_path, expected_token
    # A parent may have left SIGTERM ignored or blocked: stop on it as usual.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--script", default="[]")
    parser.add_argument("--token-file")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--lifetime", type=float, default=120)
    options = parser.parse_args()
    script = json.loads(options.script)
    log_path = options.log
    open(log_path, "a").close()
    if options.token_file:
        expected_token = open(options.token_file).read().strip()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if options.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Timer(options.lifetime, server.shutdown).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
