x = Chr((((((((65)))))))) & StrReverse(Replace(LCase("AB"), "a", "")) & _
  Environ$("TEMP") : y = x + 1 - -2 * 3 \ 0 Mod 0 Xor &HFF
z = "unterminated
