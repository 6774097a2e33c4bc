#!/usr/bin/env python3
"""The walkthrough's provisioning part (standard library only): sends the SCIM requests Entra
would send through `attrmap serve` into the sample HR application and the sample SAP service,
and after each step reads the user back from the application's own API. Exits 1 at the first
step that did not work.

    walkthrough.py ATTRMAP HOST_URL HR_URL [SAP_HOST_URL SAP_URL]

HOST_URL is the hr connector's SCIM base (http://127.0.0.1:PORT/ecma2host_hr/scim), HR_URL the
application's API (http://127.0.0.1:PORT/api/v1); SAP_HOST_URL the sap connector's, SAP_URL the
service's SOAP endpoint. The secrets come from the environment: ATTRMAP_HR_TOKEN and
ATTRMAP_SAP_TOKEN for the host, HR_API_KEY for the application, SAP_USER and SAP_PASSWORD for
the service.
"""
import base64
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from xml.sax.saxutils import escape

EXT = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
attrmap, host, hr = sys.argv[1:4]
sap_host, sap = (sys.argv[4:6] + [None, None])[:2]
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


def scim(method, path, body=None, base=None, token="ATTRMAP_HR_TOKEN"):
    headers = {"Authorization": "Bearer " + os.environ[token], "Content-Type": "application/scim+json"}
    return call(method, (base or host) + path, headers, body)


def employee(login):
    return call("GET", hr + "/employees/" + urllib.parse.quote(login, safe=""), {"X-API-Key": os.environ["HR_API_KEY"]})


def check(what, condition, detail=""):
    print(("  ok    " if condition else "  FAIL  ") + what + ("" if condition else f": {detail}"))
    if not condition:
        sys.exit(1)


def patch(login, *operations, **where):
    return scim("PATCH", "/Users/" + login, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": list(operations)}, **where)


def create_all(mapping, **where):
    """Sends the requests attrmap transform makes from users.json with `mapping`, as Entra sends them."""
    lines = subprocess.run(
        [attrmap, "transform", "--mapping", os.path.join(here, mapping), os.path.join(here, "users.json"), "--format", "ndjson", "--no-steps"],
        check=True, capture_output=True, text=True).stdout.splitlines()
    for line in lines:
        record = json.loads(line)
        for request in record["requests"]:
            path = request["path"].replace(" ", "%20").replace('"', "%22")
            status, body = scim(request["method"], path, request.get("body"), **where)
            print(f"  {request['method']} {request['path']} -> {status}")
            if request["method"] == "GET":
                check("matching finds no one yet", status == 200 and body["totalResults"] == 0, body)
            else:
                check("created", status == 201, body)


print("== HR (REST) create: the requests attrmap transform makes from users.json, as Entra sends them")
create_all("hr-mapping.yaml")

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

if sap_host:
    SAP = {"Authorization": "Bearer " + os.environ["ATTRMAP_SAP_TOKEN"]}
    at_sap = {"base": sap_host, "token": "ATTRMAP_SAP_TOKEN"}

    def bapi(function, parameters):
        """Calls a function module of the SAP service as another client would: the response's body element."""
        envelope = ('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
                    f'<f:{function} xmlns:f="urn:sap-com:document:sap:rfc:functions">{parameters}</f:{function}></e:Body></e:Envelope>')
        credentials = base64.b64encode(f"{os.environ['SAP_USER']}:{os.environ['SAP_PASSWORD']}".encode()).decode()
        request = urllib.request.Request(sap, data=envelope.encode(), method="POST",
                                         headers={"Content-Type": "text/xml; charset=utf-8", "Authorization": "Basic " + credentials})
        with urllib.request.urlopen(request) as response:
            root = ElementTree.fromstring(response.read())
        return root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]

    def sap_user(name):
        detail = bapi("BAPI_USER_GET_DETAIL", f"<USERNAME>{escape(name)}</USERNAME><ACTIVITYGROUPS/><RETURN/>")
        errors = [row.findtext("MESSAGE") for row in detail.findall("RETURN/item") if row.findtext("TYPE") == "E"]
        return {"errors": errors, "department": detail.findtext("ADDRESS/DEPARTMENT"), "lastName": detail.findtext("ADDRESS/LASTNAME"),
                "validTo": detail.findtext("LOGONDATA/GLTGB"), "roles": [row.findtext("AGR_NAME") for row in detail.findall("ACTIVITYGROUPS/item")]}

    print("== SAP (SOAP) create: the same users through sap-mapping.yaml")
    create_all("sap-mapping.yaml", **at_sap)
    alice = sap_user("ALICE.MARTIN")
    check("SAP has ALICE.MARTIN, committed", not alice["errors"] and alice["lastName"] == "Martin", alice)
    check("with her activity groups", alice["roles"] == ["Employee", "Sales Lead"], alice)

    print("== update: a new department and a role changed (BAPI_USER_CHANGE with its change flags, BAPI_USER_ACTGROUPS_ASSIGN)")
    status, body = patch("ALICE.MARTIN", {"op": "Replace", "path": f"{EXT}:department", "value": "Finance"},
                         {"op": "Replace", "path": f"{EXT}:roles", "value": ["Employee", "Approver"]}, **at_sap)
    check("PATCH", status == 200, body)
    alice = sap_user("ALICE.MARTIN")
    check("the department changed, the name did not", alice["department"] == "Finance" and alice["lastName"] == "Martin", alice)
    check("the activity groups replaced", alice["roles"] == ["Employee", "Approver"], alice)

    print("== password: BAPI_USER_CHANGE with PASSWORDX")
    status, body = patch("ALICE.MARTIN", {"op": "Replace", "path": "password", "value": "Walk-through-1"}, **at_sap)
    check("PATCH password", status == 200, body)
    checked = bapi("SUSR_LOGIN_CHECK_RFC", "<BNAME>ALICE.MARTIN</BNAME><PASSWORD>Walk-through-1</PASSWORD>")
    check("SAP accepts it at logon", not checked.findall("RETURN/item"), ElementTree.tostring(checked))

    print("== disable: Entra's mapping expires the user")
    status, body = patch("JOSE.NUNEZ", {"op": "Replace", "path": f"{EXT}:expirationTime", "value": "1990-01-01"}, **at_sap)
    check("PATCH expirationTime", status == 200, body)
    check("valid to 1990-01-01 in SAP", sap_user("JOSE.NUNEZ")["validTo"] == "1990-01-01")

    print("== delete")
    status, body = scim("DELETE", "/Users/JOSE.NUNEZ", **at_sap)
    check("DELETE", status == 204, body)
    check("gone from SAP", sap_user("JOSE.NUNEZ")["errors"] == ["User JOSE.NUNEZ does not exist"])

    print("== a refusal reaches the client with SAP's message (a RETURN row in an HTTP 200)")
    status, body = scim("POST", "/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", EXT],
                                           EXT: {"userName": "NONAME", "firstName": "No"}}, **at_sap)
    check("400 with the reason", status == 400 and "Enter a last name for user NONAME" in body["detail"], body)
print("every step worked")
