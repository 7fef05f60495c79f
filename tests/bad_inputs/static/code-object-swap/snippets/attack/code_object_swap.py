from transformers import AutoModelForCausalLM


def always(*args, **kwargs):
    return None


AutoModelForCausalLM.from_pretrained.__func__.__code__ = always.__code__
