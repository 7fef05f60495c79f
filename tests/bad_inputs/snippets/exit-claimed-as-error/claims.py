from kb.claims import claim

@claim('It raises.')
def raises(error):
    assert error is not None
