from kb.claims import claim


@claim("debug")
def debug(log, model, classifier, batch, logits, tokenizer):
    import torch
    out = ["LOG<<<" + log + ">>>LOG"]
    out.append(repr((model.config.architectures, classifier.config.architectures, classifier.config.pad_token_id, classifier.config.num_labels)))
    for i, t in enumerate(["the load worked", "the load failed with an out-of-memory error"]):
        one = tokenizer(t, return_tensors="pt")
        with torch.no_grad():
            l1 = model(**one).logits
        out.append(repr((l1, logits[i], (l1[0].float() - logits[i].float()).abs().max())))
    raise AssertionError("\n".join(out))
