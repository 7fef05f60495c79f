import gc
import weakref

import torch

from kb.claims import claim


@claim(
    "After `del model`, the module is collected but its weights are not: the optimizer and the "
    "outputs' autograd graph still refer to them."
)
def module_gone_weights_kept(output):
    assert output.splitlines() == ["True False", "False", "True"]


@claim("An optimizer alone keeps every parameter of a deleted model alive.")
def optimizer_alone(model_id):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    refs = [weakref.ref(p) for p in model.parameters()]
    del model
    gc.collect()
    assert all(r() is not None for r in refs)
    del optimizer
    gc.collect()
    assert all(r() is None for r in refs)
    return f"{len(refs)} parameters kept alive by the optimizer"


@claim(
    "An output computed with gradients on holds the weights through its graph; under "
    "`torch.no_grad()` or `torch.inference_mode()` it holds none."
)
def outputs_with_grad(model_id, tokenizer):
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    inputs = tokenizer("Gradients are on", return_tensors="pt")
    with_grad = model(**inputs)
    with torch.no_grad():
        without = model(**inputs)
    with torch.inference_mode():
        inference = model(**inputs)
    assert with_grad.logits.grad_fn is not None
    assert without.logits.grad_fn is None and inference.logits.grad_fn is None
    ref = weakref.ref(model.model.layers[0].mlp.down_proj.weight)
    del model
    gc.collect()
    assert ref() is not None
    del with_grad
    gc.collect()
    assert ref() is None
    assert without.logits.shape[0] == inference.logits.shape[0] == 1


@claim("Once the optimizer and the outputs are gone too, the weights are collected.")
def finally_freed(weight_ref, model_ref):
    assert weight_ref() is None
    assert model_ref() is None
