import kb.claims
from kb.claims import claim

kb.claims.MARGIN = 0.0


@claim("Half the memory.")
def half(ratio):
    kb.claims.below(ratio, 0.5)
