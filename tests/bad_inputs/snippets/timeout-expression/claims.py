from kb.claims import claim

TIMEOUT = __import__('os').getpid()


@claim('x is 1.')
def one(x):
    assert x == 1
