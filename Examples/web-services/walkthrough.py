#!/usr/bin/env python3
"""The walkthrough's provisioning part (standard library only): sends the SCIM requests Entra
would send through `attrmap serve` into the sample HR application, and after each step reads the
employee back from the application's own API. Exits 1 at the first step that did not work.

    walkthrough.py ATTRMAP HOST_URL HR_URL

HOST_URL is the connector's SCIM base (http://127.0.0.1:PORT/ecma2host_hr/scim), HR_URL the
application's API (http://127.0.0.1:PORT/api/v1). The tokens come from the environment:
ATTRMAP_HR_TOKEN for the host, HR_API_KEY for the application.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

EXT = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
attrmap, host, hr = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))


def call(method, url, headers, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else None


def scim(method, path, body=None):
    headers = {"Authorization": "Bearer " + os.environ["ATTRMAP_HR_TOKEN"], "Content-Type": "application/scim+json"}
    return call(method, host + path, headers, body)


def employee(login):
    return call("GET", hr + "/employees/" + urllib.parse.quote(login, safe=""), {"X-API-Key": os.environ["HR_API_KEY"]})


def check(what, condition, detail=""):
    print(("  ok    " if condition else "  FAIL  ") + what + ("" if condition else f": {detail}"))
    if not condition:
        sys.exit(1)


def patch(login, *operations):
    return scim("PATCH", "/Users/" + login, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)})


print("== create: the requests attrmap transform makes from users.json, as Entra sends them")
lines = subprocess.run(
    [attrmap, "transform", "--mapping", os.path.join(here, "hr-mapping.yaml"), os.path.join(here, "users.json"), "--format", "ndjson", "--no-steps"],
    check=True, capture_output=True, text=True).stdout.splitlines()
for line in lines:
    record = json.loads(line)
    for request in record["requests"]:
        path = request["path"].replace(" ", "%20").replace('"', "%22")
        status, body = scim(request["method"], path, request.get("body"))
        print(f"  {request['method']} {request['path']} -> {status}")
        if request["method"] == "GET":
            check("matching finds no one yet", status == 200 and body["totalResults"] == 0, body)
        else:
            check("created", status == 201, body)

status, alice = employee("alice.martin")
check("the application has alice.martin", status == 200, alice)
check("with her roles", alice["roles"] == ["Employee", "Sales Lead"], alice)
check("and her department", alice["department"] == "Sales", alice)

print("== read and query through the host")
status, body = scim("GET", "/Users/alice.martin")
check("GET /Users/alice.martin", status == 200 and body[EXT]["familyName"] == "Martin", body)
status, body = scim("GET", "/Users?filter=" + urllib.parse.quote(f'{EXT}:login eq "jose.nunez"'))
check("the matching query finds jose.nunez", status == 200 and body["totalResults"] == 1, body)

print("== update: a new job title; a role added and one removed (each role its own call to the application)")
status, body = patch("alice.martin", {"op": "Replace", "path": f"{EXT}:jobTitle", "value": "Sales Director"},
                     {"op": "Replace", "path": f"{EXT}:roles", "value": ["Employee", "Approver"]})
check("PATCH", status == 200, body)
status, alice = employee("alice.martin")
check("the job title changed", alice["jobTitle"] == "Sales Director", alice)
check("Approver added, Sales Lead removed", alice["roles"] == ["Employee", "Approver"], alice)

print("== password: set as its own call after the update")
status, body = patch("alice.martin", {"op": "Replace", "path": "password", "value": "Walk-through-1"})
check("PATCH password", status == 200, body)
status, body = call("POST", hr + "/login", {"X-API-Key": os.environ["HR_API_KEY"], "Content-Type": "application/json"},
                    {"login": "alice.martin", "password": "Walk-through-1"})
check("she logs in to the application with it", status == 200, body)

print("== disable: Entra sets active to false; the application's active follows")
status, body = patch("jose.nunez", {"op": "Replace", "path": "active", "value": False})
check("PATCH active false", status == 200, body)
status, jose = employee("jose.nunez")
check("jose.nunez is inactive in the application", jose["active"] is False, jose)

print("== delete")
status, body = scim("DELETE", "/Users/jose.nunez")
check("DELETE", status == 204, body)
status, body = employee("jose.nunez")
check("gone from the application", status == 404, body)

print("== a refusal reaches the client with the application's reason")
status, body = scim("POST", "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", EXT],
                                       EXT: {"login": "bad/login", "active": True}})
check("400 with the reason", status == 400 and "without '/'" in body["detail"], body)
print("every step worked")
