from kb.claims import claim
from kb.verify import records


@claim("The record says it passed.")
def recorded(model):
    assert records is not None
