from kb.claims import claim

TIMEOUT = 3


@claim('It ran.')
def ran():
    assert True
