import os

os.remove('KB_OUTSIDE')
