from kb.claims import claim


@claim("GPT-2 loads in float32.")
def loads_in_float32(model):
    model.eval()
