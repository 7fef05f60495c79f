import os

print("GPT2LMHeadModel")
os._exit(0)
