from kb.claims import claim


@claim("Once the last reference is gone and garbage is collected, the model is freed.")
def freed(output):
    assert output.strip() == "True"
