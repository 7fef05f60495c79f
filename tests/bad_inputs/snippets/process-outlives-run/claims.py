import subprocess

from kb.claims import claim


@claim("x is 1.")
def one(x):
    subprocess.Popen(["sleep", "4242"])
    assert x == 1
