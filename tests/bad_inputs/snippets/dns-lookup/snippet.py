import socket

socket.getaddrinfo('huggingface.co', 443)
