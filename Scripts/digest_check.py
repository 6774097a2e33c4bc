#!/usr/bin/env python3
"""Cross-checks the sample HR application's HTTP Digest authentication (RFC 7616) with an
independent client from PyPI: requests' HTTPDigestAuth answers the challenge, for a list, a
create and a read, and a wrong password is refused. Exits 1 at the first mismatch.

    digest_check.py API_URL ALGORITHM      (the environment: HR_DIGEST_USER, HR_DIGEST_PASSWORD)
"""
import os
import sys
import uuid

import requests
from requests.auth import HTTPDigestAuth

api, algorithm = sys.argv[1:3]
session = requests.Session()
session.auth = HTTPDigestAuth(os.environ["HR_DIGEST_USER"], os.environ["HR_DIGEST_PASSWORD"])


def check(what, condition, detail=""):
    if not condition:
        print(f"FAIL {what}: {detail}")
        sys.exit(1)


challenge = requests.get(api + "/employees").headers.get("WWW-Authenticate", "")
check("a challenge", challenge.startswith("Digest ") and f"algorithm={algorithm}" in challenge, challenge)
listed = session.get(api + "/employees", params={"limit": 2})
check("a list, the challenge answered", listed.status_code == 200, listed.text)
login = "digest-" + uuid.uuid4().hex[:8]
created = session.post(api + "/employees", json={"login": login, "department": "Sales"})
check("a create", created.status_code == 201, created.text)
read = session.get(api + "/employees/" + login)
check("a read", read.status_code == 200 and read.json()["department"] == "Sales", read.text)
wrong = requests.get(api + "/employees", auth=HTTPDigestAuth(os.environ["HR_DIGEST_USER"], "not-the-password"))
check("a wrong password is refused", wrong.status_code == 401, wrong.status_code)
print(f"HTTP Digest ({algorithm}) checked through requests")
