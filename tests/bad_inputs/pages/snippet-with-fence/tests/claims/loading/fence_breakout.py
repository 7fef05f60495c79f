from kb.claims import claim


@claim("The snippet prints its text.")
def prints_it(output):
    assert "Escaped heading" in output
