#!/usr/bin/env python3
"""Cross-checks the sample HR application against its own OpenAPI document with independent
tools from PyPI: openapi-spec-validator validates the document it serves, and openapi-core
validates every request this script sends and every response it gets, across the API (pages by
cursor, number and offset, one employee, a merge patch, roles, a password, a login, a token, and
the errors 401, 404, 409, 422). Exits 1 at the first mismatch.

    openapi_check.py BASE_URL      (the environment: HR_API_KEY, HR_CLIENT_ID, HR_CLIENT_SECRET)
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import warnings

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_spec_validator import validate

# openapi-core checks API keys itself but not OAuth 2 (which it says once); the script sends both.
warnings.filterwarnings("ignore", "Unsupported scheme type")
base = sys.argv[1].rstrip("/")
key = os.environ["HR_API_KEY"]

with urllib.request.urlopen(base + "/openapi.json") as response:
    document = json.load(response)
validate(document)
document["servers"] = [{"url": base + "/api/v1"}]
api = OpenAPI.from_dict(document, config=Config(extra_media_type_deserializers={"application/merge-patch+json": json.loads, "application/problem+json": json.loads}))
print("the document is valid OpenAPI", document["openapi"])


class Request:
    """A request as openapi-core reads one."""

    def __init__(self, method, url, headers, body):
        parts = urllib.parse.urlsplit(url)
        self.host_url = f"{parts.scheme}://{parts.netloc}"
        self.path = parts.path
        self.method = method.lower()
        self.full_url_pattern = self.host_url + self.path
        self.parameters = RequestParameters(query=dict(urllib.parse.parse_qsl(parts.query)), header=headers, cookie={})
        self.body = body
        self.content_type = headers.get("Content-Type", "application/json") if body else None


class Response:
    def __init__(self, status, headers, body):
        self.status_code = status
        self.headers = headers
        self.data = body
        self.content_type = headers.get("Content-Type", "")


checked = 0


def send(method, path, body=None, headers=None, expect=None, content_type="application/json", refused=False):
    """One call; its request is checked too unless it is `refused` on purpose (a bad value, no key)."""
    global checked
    headers = dict(headers if headers is not None else {"X-API-Key": key})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = content_type
    url = base + "/api/v1" + path
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            status, answer_headers, answer_body = answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, answer_body = error.code, dict(error.headers), error.read()
    openapi_request = Request(method, url, headers, data)
    if not refused:
        api.validate_request(openapi_request)
    api.validate_response(openapi_request, Response(status, answer_headers, answer_body))
    checked += 1
    if expect is not None and status != expect:
        print(f"FAIL {method} {path}: {status}, expected {expect}: {answer_body[:300]!r}")
        sys.exit(1)
    return status, answer_headers, json.loads(answer_body) if answer_body else None


_, _, start = send("GET", "/changes", expect=200)
for index in range(7):
    send("POST", "/employees", {"login": f"check{index}", "givenName": "Zoë", "email": None, "roles": ["Employee"]}, expect=201)
_, _, page = send("GET", "/employees?limit=3", expect=200)
_, _, page2 = send("GET", "/employees?limit=3&cursor=" + urllib.parse.quote(page["next_cursor"]), expect=200)
assert page2["data"][0]["login"] == "check3", page2
_, headers, numbered = send("GET", "/employees?page=2&limit=3", expect=200)
assert numbered["total"] == 7 and "rel=\"next\"" in headers.get("Link", ""), (numbered, headers)
send("GET", "/employees?offset=6&limit=3&fields=login,email", expect=200)
send("GET", "/employees/check1", expect=200)
send("PATCH", "/employees/check1", {"department": "Sales", "givenName": None}, content_type="application/merge-patch+json", expect=200)
send("PUT", "/employees/check1/roles/Approver", expect=204)
send("DELETE", "/employees/check1/roles/Employee", expect=204)
send("PUT", "/employees/check1/password", {"password": "Correct-Horse-1"}, expect=204)
send("PUT", "/employees/check1/password", {"password": "short"}, expect=400)
send("POST", "/login", {"login": "check1", "password": "Correct-Horse-1"}, expect=200)
send("GET", "/employees/nobody", expect=404)
send("POST", "/employees", {"login": "check2"}, expect=409)
send("POST", "/employees", {"login": "check9", "active": "yes"}, expect=422, refused=True)
send("GET", "/employees/check1", headers={}, expect=401, refused=True)
send("DELETE", "/employees/check6", expect=204)
# Every employee changed since the first token, each once, check6 as a deletion, two at a time.
seen, query = [], "token=" + urllib.parse.quote(start["token"])
while True:
    _, _, changes = send("GET", "/changes?limit=2&" + query, expect=200)
    seen += changes["changes"]
    if "next_cursor" not in changes:
        break
    query = "token=" + urllib.parse.quote(start["token"]) + "&cursor=" + urllib.parse.quote(changes["next_cursor"])
assert sorted(change["login"] for change in seen) == [f"check{index}" for index in range(7)], seen
assert [change for change in seen if change.get("deleted")] == [{"login": "check6", "deleted": True}], seen
_, _, quiet = send("GET", "/changes?token=" + urllib.parse.quote(changes["token"]), expect=200)
assert quiet["changes"] == [] and quiet["token"] == changes["token"], quiet
send("GET", "/changes?token=not-a-token", expect=400)

client = os.environ.get("HR_CLIENT_ID")
if client:
    credentials = base64.b64encode(f"{client}:{os.environ['HR_CLIENT_SECRET']}".encode()).decode()
    request = urllib.request.Request(base + "/oauth/token", data=b"grant_type=client_credentials", method="POST",
                                     headers={"Authorization": "Basic " + credentials, "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request) as answer:
        token = json.load(answer)["access_token"]
    send("GET", "/employees/check0", headers={"Authorization": "Bearer " + token}, expect=200)
print(f"{checked} requests and their responses match the document")
