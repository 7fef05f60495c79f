"""Stand-in remote code for ``internlm/internlm2_5-7b-chat`` (see ../README.md): the model
class its ``auto_map`` names, as a Llama model of the same shape."""

from transformers import LlamaForCausalLM

from .configuration_internlm2 import InternLM2Config


class InternLM2ForCausalLM(LlamaForCausalLM):
    config_class = InternLM2Config
