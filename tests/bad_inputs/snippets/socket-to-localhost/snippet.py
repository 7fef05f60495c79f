import socket

s = socket.create_connection(('127.0.0.1', KB_PORT), timeout=5)
s.sendall(b'leak')
