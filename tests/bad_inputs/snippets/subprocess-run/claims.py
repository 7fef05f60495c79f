from kb.claims import claim

@claim('It ran.')
def ran():
    assert True
