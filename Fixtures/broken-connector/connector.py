#!/usr/bin/env python3
"""A process connector that breaks the protocol on purpose, for the conformance suite's tests.

It keeps users in store.json in its working directory and serves them correctly, except for the
one defect named by --defect, which it commits once (a file defect-done in the working directory
remembers that it did, across restarts):

  wrong-id          answers the first create under another request's id
  crash-mid-import  sends the first page of the first import that has objects, then exits
  hang              never answers the first get
  malformed         answers the first get with a line cut short
  non-utf8          answers the first get with bytes that are not UTF-8

Without --defect it is a correct connector, so that each failure the suite reports is the defect's.
"""

import json
import os
import sys
import time

DEFECT = sys.argv[sys.argv.index("--defect") + 1] if "--defect" in sys.argv else None
STORE = "store.json"
MARK = "defect-done"


def log(message):
    sys.stderr.write("broken-connector: %s\n" % message)
    sys.stderr.flush()


def send(message):
    write((json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))


def write(data):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def commit(defect):
    """Whether to commit `defect` now: the one named, once."""
    if DEFECT != defect or os.path.exists(MARK):
        return False
    open(MARK, "w").close()
    log("committing the defect %s" % defect)
    return True


def read():
    if not os.path.exists(STORE):
        return {}
    with open(STORE, encoding="utf-8") as handle:
        return json.load(handle)


def save(users):
    with open(STORE + ".new", "w", encoding="utf-8") as handle:
        json.dump(users, handle, ensure_ascii=False)
    os.replace(STORE + ".new", STORE)


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def existing(users, anchor):
    if anchor not in users:
        raise Failure("notFound", "no user '%s'" % anchor)
    return users[anchor]


def answer(request):
    op = request.get("op")
    users = read()
    if op == "hello":
        return {"protocol": 1, "name": "broken-connector", "version": "1", "capabilities": {
            "operations": ["test", "schema", "import", "get", "create", "replace", "delete", "setPassword"]}}
    if op == "test":
        return {}
    if op == "schema":
        return {"objectTypes": [{"name": "User", "anchor": "login", "attributes": [
            {"name": "login", "required": True}, {"name": "displayName"}, {"name": "mail", "multiValued": True}]}]}
    if op == "get":
        user = users.get(request["anchor"])
        return {"object": {"anchor": request["anchor"], "attributes": user} if user is not None else None}
    if op == "create":
        item = request["object"]
        if item["anchor"] in users:
            raise Failure("alreadyExists", "a user '%s' exists" % item["anchor"])
        users[item["anchor"]] = item.get("attributes", {})
        save(users)
        return {}
    if op == "replace":
        item = request["object"]
        existing(users, item["anchor"])
        users[item["anchor"]] = item.get("attributes", {})
        save(users)
        return {}
    if op == "delete":
        existing(users, request["anchor"])
        del users[request["anchor"]]
        save(users)
        return {}
    if op == "setPassword":
        existing(users, request["anchor"])
        return {}
    raise Failure("failed", "no operation %s" % op)


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        identifier, op = request.get("id"), request.get("op")
        if op == "shutdown":
            send({"id": identifier, "ok": {}})
            return
        try:
            if op == "import":
                users = read()
                objects = [{"anchor": anchor, "attributes": attributes} for anchor, attributes in sorted(users.items())]
                if objects and commit("crash-mid-import"):
                    send({"id": identifier, "page": objects[:1]})
                    sys.exit(3)
                for start in range(0, len(objects), 100):
                    send({"id": identifier, "page": objects[start:start + 100]})
                send({"id": identifier, "ok": {}})
                continue
            result = answer(request)
            if op == "create" and commit("wrong-id"):
                send({"id": identifier + 1000, "ok": result})
            elif op == "get" and commit("hang"):
                while True:
                    time.sleep(3600)
            elif op == "get" and commit("malformed"):
                write(('{"id":%d,"ok":{"object":{"anchor":' % identifier).encode("utf-8") + b"\n")
            elif op == "get" and commit("non-utf8"):
                write(b'{"id":%d,"ok":{"object":{"anchor":"x","attributes":{"displayName":"Z\xff\xfe"}}}}\n' % identifier)
            else:
                send({"id": identifier, "ok": result})
        except Failure as failure:
            send({"id": identifier, "error": {"code": failure.code, "message": failure.message}})


if __name__ == "__main__":
    main()
