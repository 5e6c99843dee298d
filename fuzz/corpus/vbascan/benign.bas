Attribute VB_Name = "Module1"
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
