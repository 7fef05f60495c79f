from kb.claims import claim

TIMEOUT = '10'


@claim('x is 1.')
def one(x):
    assert x == 1
