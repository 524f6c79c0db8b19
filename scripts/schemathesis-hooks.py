"""Schemathesis hooks for scripts/schemathesis: the bearer token of the fuzzing account.

The run calls `DELETE /sessions/current`, `DELETE /sessions` and the like with this very token, so
a fixed `Authorization` header would go stale early and leave most operations answering only 401.
This provider checks the token before each request (`GET /me`, cheap) and, once it no longer
works, logs in again as the account scripts/schemathesis-account.py made (WS_FUZZ_* variables).
"""

import json
import os
import urllib.error
import urllib.request

import schemathesis

BASE = os.environ["WS_FUZZ_BASE"]


def _call(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


@schemathesis.auth(refresh_interval=None)
class FuzzSession:
    def __init__(self):
        self.token = os.environ["WS_FUZZ_TOKEN"]

    def get(self, case, ctx):
        if _call("GET", "/api/v1/me", self.token)[0] == 401:
            status, session = _call(
                "POST",
                "/api/v1/sessions",
                body={
                    "identifier": os.environ["WS_FUZZ_EMAIL"],
                    "password": os.environ["WS_FUZZ_PASSWORD"],
                    "device_id": os.environ["WS_FUZZ_DEVICE"],
                },
            )
            if status == 201:
                self.token = session["token"]
        return self.token

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
