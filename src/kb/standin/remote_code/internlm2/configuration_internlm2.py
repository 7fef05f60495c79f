"""Stand-in remote code for ``internlm/internlm2_5-7b-chat`` (see ../README.md): the config
class its ``auto_map`` names, as a Llama config that reads InternLM2's field names."""

from transformers import LlamaConfig


class InternLM2Config(LlamaConfig):
    model_type = "internlm2"

    def __init__(self, bias=False, **kwargs):
        self.bias = bias
        kwargs.setdefault("attention_bias", bias)
        super().__init__(**kwargs)
