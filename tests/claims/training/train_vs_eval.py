import torch

from kb.claims import claim


@claim(
    "`from_pretrained` returns the model in eval mode, yet every parameter still has "
    "`requires_grad=True`: eval mode is not freezing."
)
def eval_but_trainable(model):
    fresh_model = type(model).from_pretrained("gpt2")
    assert fresh_model.training is False
    assert all(not m.training for m in fresh_model.modules())
    assert all(p.requires_grad for p in fresh_model.parameters())


@claim(
    "In eval mode two forward passes give identical logits; after `model.train()` they differ, "
    "because gpt2's dropout (0.1) is active."
)
def dropout_follows_mode(model, batch, output):
    assert model.config.resid_pdrop == 0.1
    assert model.training is True
    assert output.splitlines()[1:] == ["True", "False"]
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(**batch).logits, model(**batch).logits)
    model.train()


@claim("`from_config` builds a model in training mode, unlike `from_pretrained`.")
def from_config_trains(model):
    from transformers import AutoModelForCausalLM

    built = AutoModelForCausalLM.from_config(model.config)
    assert built.training is True
