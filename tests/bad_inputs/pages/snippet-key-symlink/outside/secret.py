TOKEN = "kb-canary-outside-snippets"
print(TOKEN)
