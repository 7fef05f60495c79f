"""The MkDocs/Material adapter: the only part that knows the site's Markdown dialect."""
