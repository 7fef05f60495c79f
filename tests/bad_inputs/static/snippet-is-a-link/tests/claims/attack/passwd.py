from kb.claims import claim


@claim("It loads.")
def loads(x):
    assert x
