"""Sends the SCIM requests `attrmap transform` printed (one JSON object a line on standard input)
to a SCIM host, as Entra's provisioning service would, and prints each with its answer. A POST
must be answered 201, a GET 200; anything else stops the run with the host's SCIM error.

    attrmap transform -m mapping.yaml users.json | python3 send.py http://127.0.0.1:8585/ecma2host_LDAP/scim

The host's token comes from ATTRMAP_LDAP_TOKEN. Standard library only."""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def send(base, token, method, path, body=None):
    target, _, query = path.partition("?")
    if query.startswith("filter="):
        query = "filter=" + urllib.parse.quote(query[len("filter="):], safe="")
    url = base + urllib.parse.quote(target, safe="/=,") + ("?" + query if query else "")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/scim+json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main():
    base, token = sys.argv[1], os.environ["ATTRMAP_LDAP_TOKEN"]
    for line in sys.stdin:
        for request in json.loads(line)["requests"]:
            status, text = send(base, token, request["method"], request["path"], request.get("body"))
            print(f"  {request['method']} {request['path']} → {status}")
            if status != (201 if request["method"] == "POST" else 200):
                sys.exit(f"  the host answered {status}: {text}")


if __name__ == "__main__":
    main()
