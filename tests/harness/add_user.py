#!/usr/bin/env python3
"""add_user.py corp|prod NAME PASSWORD_FILE: a domain user with the
password in PASSWORD_FILE (read from the file, never on a command line),
for tests that need an account that is not an administrator. Signs in to
the DC with the Kerberos ticket in KRB5CCNAME."""
import os
import sys

from samba.auth import system_session
from samba.credentials import MUST_USE_KERBEROS, Credentials
from samba.param import LoadParm
from samba.samdb import SamDB


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("corp", "prod"):
        sys.exit("usage: add_user.py corp|prod NAME PASSWORD_FILE")
    which, name, pwfile = sys.argv[1:]
    env = os.environ
    p = which.upper() + "_"
    lp = LoadParm()
    lp.load(env[p + "SMBCONF"])
    creds = Credentials()
    creds.guess(lp)
    creds.set_kerberos_state(MUST_USE_KERBEROS)
    samdb = SamDB(url="ldap://" + env[p + "DC"], session_info=system_session(),
                  credentials=creds, lp=lp)
    with open(pwfile, encoding="utf-8") as f:
        password = f.read().strip()
    samdb.newuser(name, password)


if __name__ == "__main__":
    main()
