#!/usr/bin/env python3
"""Cross-checks the sample SAP user service with an independent SOAP client from PyPI: zeep reads
the WSDL the service serves (both bindings, WS-Policy included) and calls each function module
through it, in one HTTP session (the service holds writes until BAPI_TRANSACTION_COMMIT in the
same session), and authenticates with zeep's WS-Security UsernameToken (text and digest); every
response must parse against the WSDL's schema. Exits 1 at the first mismatch.

    soap_check.py ENDPOINT      (the environment: SAP_USER, SAP_PASSWORD)
"""
import os
import sys

import requests
from requests.auth import HTTPBasicAuth
from zeep import Client, Settings
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

endpoint = sys.argv[1]
session = requests.Session()
session.auth = HTTPBasicAuth(os.environ["SAP_USER"], os.environ["SAP_PASSWORD"])
client = Client(endpoint + "?wsdl", transport=Transport(session=session), settings=Settings(strict=True))
bindings = sorted(str(port.binding.name) for service in client.wsdl.services.values() for port in service.ports.values())
print("the WSDL reads:", ", ".join(bindings))
service = client.bind("zusers", "zusers_binding")
checked = 0


def check(what, condition, detail=""):
    global checked
    checked += 1
    if not condition:
        print(f"FAIL {what}: {detail}")
        sys.exit(1)


def rows(table):
    """The items of a TABLE_OF_… as zeep gives it: a list, an object with `item`, or nothing."""
    if table is None:
        return []
    if isinstance(table, list):
        return table
    return table["item"] or []


created = service.BAPI_USER_CREATE1(
    USERNAME="ZEEP1", ADDRESS={"FIRSTNAME": "Zeep", "LASTNAME": "Client", "E_MAIL": "zeep@contoso.com"}, PASSWORD={"BAPIPWD": "Initial-123"})
check("create", [row["TYPE"] for row in rows(created["RETURN"])] == ["S"], created)
before = service.BAPI_USER_GET_DETAIL(USERNAME="ZEEP1")
check("not visible before the commit", [row["NUMBER"] for row in rows(before["RETURN"])] == ["124"], before["RETURN"])
commit = service.BAPI_TRANSACTION_COMMIT(WAIT="X")
check("commit", commit["TYPE"] in (None, ""), commit)
detail = service.BAPI_USER_GET_DETAIL(USERNAME="ZEEP1")
check("read back", detail["ADDRESS"]["LASTNAME"] == "Client" and detail["ADDRESS"]["E_MAIL"] == "zeep@contoso.com", detail["ADDRESS"])

# A change applies only what its X flags mark.
service.BAPI_USER_CHANGE(
    USERNAME="ZEEP1", ADDRESS={"FIRSTNAME": "Changed", "LASTNAME": "Ignored"}, ADDRESSX={"FIRSTNAME": "X"})
service.BAPI_USER_ACTGROUPS_ASSIGN(USERNAME="ZEEP1", ACTIVITYGROUPS={"item": [{"AGR_NAME": "Z_SALES"}, {"AGR_NAME": "Z_APPROVER"}]})
service.BAPI_TRANSACTION_COMMIT(WAIT="X")
detail = service.BAPI_USER_GET_DETAIL(USERNAME="ZEEP1")
check("the flagged field changed", detail["ADDRESS"]["FIRSTNAME"] == "Changed", detail["ADDRESS"])
check("the unflagged field did not", detail["ADDRESS"]["LASTNAME"] == "Client", detail["ADDRESS"])
check("roles assigned", [row["AGR_NAME"] for row in rows(detail["ACTIVITYGROUPS"])] == ["Z_SALES", "Z_APPROVER"], detail["ACTIVITYGROUPS"])

listed = service.BAPI_USER_GETLIST(MAX_ROWS=2, SELECTION_RANGE={"item": [{"PARAMETER": "USERNAME", "SIGN": "I", "OPTION": "GT", "LOW": ""}]})
check("list", listed["ROWS"] == 2 and len(rows(listed["USERLIST"])) == 2, listed)
duplicate = service.BAPI_USER_CREATE1(USERNAME="ZEEP1", ADDRESS={"LASTNAME": "Again"}, PASSWORD={"BAPIPWD": "Initial-123"})
check("a duplicate is a RETURN row 224", [(row["TYPE"], row["NUMBER"]) for row in rows(duplicate["RETURN"])] == [("E", "224")], duplicate)
service.BAPI_USER_DELETE(USERNAME="ZEEP1")
service.BAPI_TRANSACTION_COMMIT(WAIT="X")
gone = service.BAPI_USER_DELETE(USERNAME="ZEEP1")
check("deleted", [(row["TYPE"], row["NUMBER"]) for row in rows(gone)] == [("E", "124")], gone)

# The SOAP 1.2 binding answers in SOAP 1.2.
service12 = client.bind("zusers", "zusers_binding_soap12")
answer = service12.BAPI_USER_GETLIST(MAX_ROWS=1)
check("SOAP 1.2", answer["ROWS"] == 1, answer)

# WS-Security: zeep's UsernameToken, the password as text and as a digest, with no Basic header.
for digest in (False, True):
    token = UsernameToken(os.environ["SAP_USER"], os.environ["SAP_PASSWORD"], use_digest=digest)
    secured = Client(endpoint + "?wsdl", transport=Transport(session=requests.Session()), wsse=token).bind("zusers", "zusers_binding")
    answer = secured.BAPI_USER_GETLIST(MAX_ROWS=1)
    check(f"UsernameToken ({'digest' if digest else 'text'})", answer["ROWS"] == 1, answer)
wrong = Client(endpoint + "?wsdl", transport=Transport(session=requests.Session()),
               wsse=UsernameToken(os.environ["SAP_USER"], "not-the-password", use_digest=True)).bind("zusers", "zusers_binding")
try:
    wrong.BAPI_USER_GETLIST(MAX_ROWS=1)
    check("a wrong UsernameToken is refused", False, "accepted")
except Exception as error:  # zeep raises a Fault for the 401's SOAP fault
    check("a wrong UsernameToken is refused", "Unauthorized" in str(error), error)
print(f"{checked} checks passed through zeep")
