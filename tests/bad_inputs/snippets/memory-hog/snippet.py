block = bytearray(1 << 40)
