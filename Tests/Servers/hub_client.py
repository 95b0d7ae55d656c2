#!/usr/bin/env python3
"""A client of ketareg-hub's POST /v1/exports for the tests: sends the requests it is given and
prints each answer.

Standard input: {"requests": [{"url", "token", "key", "body" (text) or "bodyFile", "headers": {},
"chunked": false, "method": "POST", "group": N}]}. Requests with the same "group" number are sent at the same moment
from threads (a barrier releases them together); groups go one after another. Standard output:
[{"status": N, "body": {...} or text}] in the order given.
"""
import http.client
import json
import sys
import threading
import urllib.parse


def send(request):
    url = urllib.parse.urlsplit(request["url"])
    if "bodyFile" in request:
        with open(request["bodyFile"], "rb") as f:
            body = f.read()
    else:
        body = request.get("body", "").encode()
    headers = {"Content-Type": "application/json"}
    if request.get("token") is not None:
        headers["Authorization"] = "Bearer " + request["token"]
    if request.get("key") is not None:
        headers["Idempotency-Key"] = request["key"]
    headers.update(request.get("headers", {}))
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    try:
        if request.get("chunked"):
            def chunks():
                for i in range(0, len(body), 65536):
                    yield body[i:i + 65536]
            connection.request(request.get("method", "POST"), url.path, body=chunks(), headers=headers, encode_chunked=True)
        elif request.get("method", "POST") == "GET":
            connection.request("GET", url.path)
        else:
            connection.request(request.get("method", "POST"), url.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        return {"status": response.status, "body": parsed}
    except (ConnectionError, http.client.HTTPException) as error:
        # A server may answer 413 and close before the whole body is sent.
        return {"status": -1, "body": str(error)}
    finally:
        connection.close()


def main():
    requests = json.load(sys.stdin)["requests"]
    answers = [None] * len(requests)
    groups = {}
    for index, request in enumerate(requests):
        groups.setdefault(request.get("group", index), []).append(index)
    for _, members in sorted(groups.items()):
        barrier = threading.Barrier(len(members))

        def run(index):
            barrier.wait()
            answers[index] = send(requests[index])

        threads = [threading.Thread(target=run, args=(i,)) for i in members]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    json.dump(answers, sys.stdout)


main()
