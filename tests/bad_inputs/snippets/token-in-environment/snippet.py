import os

print(os.environ.get('HF_TOKEN'), os.environ.get('KB_SECRET'))
#> None None
