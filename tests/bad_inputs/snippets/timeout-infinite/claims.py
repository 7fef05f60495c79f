from kb.claims import claim

TIMEOUT = 1e309


@claim('x is 1.')
def one(x):
    assert x == 1
