#!/usr/bin/env python3
"""A process connector for attrmap that keeps users in a CSV file.

It speaks the process connector protocol (Documentation/process-connector-protocol.md): one JSON
request a line on standard input, one JSON response a line on standard output, its log on
standard error. Python's standard library only.

The file has a header row: login, displayName, city, roles (a JSON array), passwordHash (SHA-256
of the password, never the password). The hello request's settings name it: {"file": "users.csv"}.
"""

import contextlib
import csv
import fcntl
import hashlib
import json
import os
import sys
import tempfile

COLUMNS = ["login", "displayName", "city", "roles", "passwordHash"]
ATTRIBUTES = ["login", "displayName", "city", "roles"]
PAGE = 100
# Values as large as the host sends (a message is at most 16 MiB).
csv.field_size_limit(1 << 26)


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def log(text):
    print(text, file=sys.stderr, flush=True)


class Store:
    def __init__(self, path):
        self.path = path

    @contextlib.contextmanager
    def locked(self):
        """The file to itself for one request: another process on it (the next version, started
        while this one finishes its requests) waits, so that no write is lost."""
        try:
            lock = open(self.path + ".lock", "a")
        except OSError as error:
            raise Failure("unavailable", "the lock file %s.lock cannot be opened: %s" % (self.path, error.strerror))
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def read(self):
        if not os.path.exists(self.path):
            return {}
        with open(self.path, newline="", encoding="utf-8") as file:
            return {row["login"]: row for row in csv.DictReader(file)}

    def write(self, rows):
        folder = os.path.dirname(os.path.abspath(self.path))
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".users-")
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            for login in sorted(rows):
                writer.writerow({column: rows[login].get(column, "") for column in COLUMNS})
        os.replace(temporary, self.path)


def existing(rows, anchor):
    """The row of `anchor`, or notFound."""
    row = rows.get(anchor)
    if row is None:
        raise Failure("notFound", "no user '%s'" % anchor)
    return row


def to_object(row):
    attributes = {"login": row["login"]}
    for name in ("displayName", "city"):
        if row.get(name):
            attributes[name] = row[name]
    if row.get("roles"):
        attributes["roles"] = json.loads(row["roles"])
    return {"anchor": row["login"], "attributes": attributes}


def to_row(anchor, attributes, previous=None):
    unknown = sorted(set(attributes) - set(ATTRIBUTES))
    if unknown:
        raise Failure("invalidValue", "no attribute %s" % ", ".join(unknown))
    login = attributes.get("login", anchor)
    if login != anchor:
        raise Failure("invalidValue", "login '%s' is not the anchor '%s'" % (login, anchor))
    row = {"login": anchor, "passwordHash": (previous or {}).get("passwordHash", "")}
    for name in ("displayName", "city"):
        value = attributes.get(name)
        if value is not None and not isinstance(value, str):
            raise Failure("invalidValue", "%s is a text" % name)
        row[name] = value or ""
    roles = attributes.get("roles")
    if roles is not None and not (isinstance(roles, list) and all(isinstance(role, str) for role in roles)):
        raise Failure("invalidValue", "roles is a list of texts")
    row["roles"] = json.dumps(roles, ensure_ascii=False) if roles else ""
    return row


class Connector:
    def __init__(self):
        self.store = None

    def hello(self, request):
        if 1 not in request.get("protocols", []):
            raise Failure("failed", "this connector speaks protocol 1 only")
        settings = request.get("settings") or {}
        self.store = Store(settings.get("file", "users.csv"))
        log("serving %s for connector %s" % (os.path.abspath(self.store.path), request.get("connector", "?")))
        return {
            "protocol": 1,
            "name": "csv-users",
            "version": "1.0",
            "capabilities": {
                "operations": ["test", "schema", "import", "get", "create", "replace", "update", "delete", "setPassword"],
                "export": "update",
                "concurrency": 1,
            },
        }

    def test(self, request):
        folder = os.path.dirname(os.path.abspath(self.store.path))
        if not os.access(folder, os.W_OK):
            raise Failure("unavailable", "the folder %s cannot be written" % folder)
        self.store.read()
        return {}

    def schema(self, request):
        return {"objectTypes": [{
            "name": "User", "anchor": "login", "attributes": [
                {"name": "login", "required": True},
                {"name": "displayName"},
                {"name": "city"},
                {"name": "roles", "multiValued": True},
            ]}]}

    def check_type(self, object_type):
        if object_type != "User":
            raise Failure("invalidValue", "no object type %s" % object_type)

    def import_(self, request, send_page):
        self.check_type(request["objectType"])
        objects = [to_object(row) for row in self.store.read().values()]
        for start in range(0, len(objects), PAGE):
            send_page(objects[start:start + PAGE])
        return {}

    def get(self, request):
        self.check_type(request["objectType"])
        row = self.store.read().get(request["anchor"])
        return {"object": to_object(row) if row else None}

    def create(self, request):
        item = request["object"]
        self.check_type(item.get("objectType", "User"))
        rows = self.store.read()
        if item["anchor"] in rows:
            raise Failure("alreadyExists", "a user with login '%s' exists" % item["anchor"])
        rows[item["anchor"]] = to_row(item["anchor"], item.get("attributes", {}))
        self.store.write(rows)
        return {}

    def replace(self, request):
        item = request["object"]
        self.check_type(item.get("objectType", "User"))
        rows = self.store.read()
        previous = existing(rows, item["anchor"])
        rows[item["anchor"]] = to_row(item["anchor"], item.get("attributes", {}), previous)
        self.store.write(rows)
        return {}

    def update(self, request):
        self.check_type(request["objectType"])
        rows = self.store.read()
        previous = existing(rows, request["anchor"])
        attributes = to_object(previous)["attributes"]
        for change in request.get("changes", []):
            name = change["attribute"]
            if change.get("delete"):
                attributes.pop(name, None)
            if "replace" in change:
                values = change["replace"]
                attributes[name] = values if name == "roles" else (values[0] if values else None)
            if "add" in change or "remove" in change:
                values = [value for value in attributes.get(name, []) if value not in change.get("remove", [])]
                values += [value for value in change.get("add", []) if value not in values]
                attributes[name] = values
        attributes = {name: value for name, value in attributes.items() if value not in (None, [], "")}
        rows[request["anchor"]] = to_row(request["anchor"], attributes, previous)
        self.store.write(rows)
        return {}

    def delete(self, request):
        self.check_type(request["objectType"])
        rows = self.store.read()
        existing(rows, request["anchor"])
        del rows[request["anchor"]]
        self.store.write(rows)
        return {}

    def setPassword(self, request):
        self.check_type(request["objectType"])
        rows = self.store.read()
        row = existing(rows, request["anchor"])
        if len(request["password"]) < 8:
            raise Failure("invalidPassword", "a password has at least 8 characters")
        row["passwordHash"] = hashlib.sha256(request["password"].encode("utf-8")).hexdigest()
        self.store.write(rows)
        return {}


def main():
    connector = Connector()
    out = sys.stdout

    def send(message):
        out.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")
        out.flush()

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as error:
            log("a line that is not JSON: %s" % error)
            continue
        identifier = request.get("id")
        op = request.get("op")
        try:
            if op == "shutdown":
                send({"id": identifier, "ok": {}})
                return
            if op != "hello" and connector.store is None:
                raise Failure("failed", "hello comes first")
            with connector.store.locked() if op != "hello" else contextlib.nullcontext():
                if op == "import":
                    result = connector.import_(request, lambda page: send({"id": identifier, "page": page}))
                elif op in ("hello", "test", "schema", "get", "create", "replace", "update", "delete", "setPassword"):
                    result = getattr(connector, op)(request)
                else:
                    raise Failure("failed", "no operation %s" % op)
            send({"id": identifier, "ok": result})
        except Failure as failure:
            send({"id": identifier, "error": {"code": failure.code, "message": failure.message}})
        except Exception as error:  # a defect of the connector: reported, and the next request served
            log("%s failed: %r" % (op, error))
            send({"id": identifier, "error": {"code": "failed", "message": "%s failed: %s" % (op, error)}})


if __name__ == "__main__":
    main()
