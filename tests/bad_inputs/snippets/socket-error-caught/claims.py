from kb.claims import claim

@claim('It reached the end.')
def ended(reached):
    assert reached
