from kb.claims import claim

@claim('Home is the run\'s own folder.')
def temporary_home(home):
    assert home.endswith('/home')
