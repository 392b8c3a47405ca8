#!/usr/bin/env python3
"""Compares the structure of a GPMC file made by gpofs with one made by
GPMC: encoding (BOM, UTF-8 or UTF-16LE), the XML declaration or its
absence, and the set of element and attribute paths (namespace-qualified).

    gpmc_structure.py OURS FIXTURE [--subset]

With --subset every path of OURS must appear in FIXTURE (gpreport.xml:
gpofs writes no decoded settings); otherwise the sets must be equal.
Exits 1 and prints the differences when they do not match."""
import sys
import xml.etree.ElementTree as ET


def sniff(data):
    if data.startswith(b"\xff\xfe"):
        text = data[2:].decode("utf-16-le")
        enc = "utf-16le+bom"
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
        enc = "utf-8+bom"
    else:
        text = data.decode("utf-8")
        enc = "utf-8"
    decl = text[:text.index("?>") + 2] if text.startswith("<?xml") else None
    return enc, decl, text


def paths(text):
    root = ET.fromstring(text.encode("utf-8") if not text.startswith("<?xml")
                         else text[text.index("?>") + 2:].encode("utf-8"))
    out = set()

    def walk(node, prefix):
        p = prefix + "/" + node.tag
        out.add(p)
        for a in node.attrib:
            out.add(p + "@" + a)
        for c in node:
            walk(c, p)
    walk(root, "")
    return out


def main():
    ours, fixture = sys.argv[1], sys.argv[2]
    subset = "--subset" in sys.argv[3:]
    oe, od, ot = sniff(open(ours, "rb").read())
    fe, fd, ft = sniff(open(fixture, "rb").read())
    bad = []
    if oe != fe:
        bad.append(f"encoding {oe}, GPMC's {fe}")
    if od != fd:
        bad.append(f"declaration {od!r}, GPMC's {fd!r}")
    op, fp = paths(ot), paths(ft)
    missing = sorted(fp - op) if not subset else []
    extra = sorted(op - fp)
    for m in missing:
        bad.append("missing " + m)
    for e in extra:
        bad.append("not in GPMC's " + e)
    if bad:
        print(f"{ours} vs {fixture}:")
        for b in bad:
            print("  " + b)
        sys.exit(1)


main()
