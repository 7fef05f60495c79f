# café
from kb.claims import claim
