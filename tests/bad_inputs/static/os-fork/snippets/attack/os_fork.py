import os

if os.fork():
    print("parent")
