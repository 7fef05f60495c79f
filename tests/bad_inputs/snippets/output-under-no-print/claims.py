from kb.claims import claim

@claim('x is 1.')
def one(x):
    assert x == 1
