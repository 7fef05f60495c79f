import ctypes

ctypes.memmove(id(True), id(False), 24)
