import sys

sys.exit(0)
x = undefined_name
