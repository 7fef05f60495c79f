"""The project rules: what pages, snippets and claims must respect, run by the build and the tests."""
