"""A snippet whose text holds a Markdown fence: it must not close the block it is shown in."""

NOTE = """
```

# Escaped heading {: #kb-fence-escaped }

````
"""
print(NOTE)
