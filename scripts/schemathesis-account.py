"""Registers an account on a dev server through the real flow and prints a bearer token.

Used by scripts/schemathesis (arguments: the base URL and the server's pid): waits for `GET /healthz`, asks for a registration code by e-mail,
reads it from the dev outbox, creates the account (WS_FUZZ_EMAIL, WS_FUZZ_PASSWORD, WS_FUZZ_DEVICE),
logs in from the device that registered (so no new-device step), and prints the session token.
Standard library only.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = sys.argv[1]
SERVER_PID = int(sys.argv[2])
EMAIL = os.environ["WS_FUZZ_EMAIL"]
PASSWORD = os.environ["WS_FUZZ_PASSWORD"]
DEVICE = os.environ["WS_FUZZ_DEVICE"]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait(what, attempt, seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = attempt()
            if result is not None:
                return result
        except (urllib.error.URLError, ConnectionError):
            pass
        try:
            os.kill(SERVER_PID, 0)
        except ProcessLookupError:
            sys.exit(f"schemathesis-account: the server exited while waiting for {what}")
        if time.monotonic() > deadline:
            sys.exit(f"schemathesis-account: {what} did not happen within {seconds} s")
        time.sleep(0.2)


def main():
    wait("GET /healthz", _healthy, 60)
    status, sent = call(
        "POST",
        "/api/v1/verifications",
        {"purpose": "register", "channel": "email", "destination": EMAIL},
    )
    if status != 202:
        sys.exit(f"schemathesis-account: POST /verifications answered {status}: {sent}")

    def code():
        _, outbox = call("GET", f"/api/v1/dev/outbox?destination={EMAIL}")
        return next((m["code"] for m in outbox["messages"] if m.get("code")), None)

    status, account = call(
        "POST",
        "/api/v1/accounts",
        {
            "verification_id": sent["verification_id"],
            "code": wait("the registration code", code, 30),
            "nickname": "schemathesis",
            "password": PASSWORD,
            "device_id": DEVICE,
        },
    )
    if status != 201:
        sys.exit(f"schemathesis-account: POST /accounts answered {status}: {account}")
    status, session = call(
        "POST",
        "/api/v1/sessions",
        {"identifier": EMAIL, "password": PASSWORD, "device_id": DEVICE},
    )
    if status != 201:
        sys.exit(f"schemathesis-account: POST /sessions answered {status}: {session}")
    print(session["token"])


def _healthy():
    with urllib.request.urlopen(BASE + "/healthz", timeout=2) as r:
        return True if r.status == 200 else None


if __name__ == "__main__":
    main()
