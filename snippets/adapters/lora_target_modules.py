import warnings

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM
from transformers.pytorch_utils import Conv1D

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")


# --8<-- [start:list]
def linear_names(model):
    """The distinct names of the layers LoRA can target: Linear, and Conv1D in gpt2."""
    return sorted(
        {
            name.rsplit(".", 1)[-1]
            for name, module in model.named_modules()
            if isinstance(module, (torch.nn.Linear, Conv1D))
        }
    )


for model_id in ("meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-0.5B-Instruct", "gpt2"):
    print(" ".join(linear_names(AutoModelForCausalLM.from_pretrained(model_id))))
    #> down_proj gate_proj k_proj lm_head o_proj q_proj up_proj v_proj
    #> down_proj gate_proj k_proj lm_head o_proj q_proj up_proj v_proj
    #> c_attn c_fc c_proj lm_head
# --8<-- [end:list]

# --8<-- [start:llama]
# Llama, Qwen2 and Mistral: attention q/k/v/o and the MLP's gate/up/down projections.
llama = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
llama_lora = LoraConfig(
    r=16,
    lora_alpha=32,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    task_type="CAUSAL_LM",
)
llama = get_peft_model(llama, llama_lora)
# --8<-- [end:llama]

# --8<-- [start:gpt2]
# gpt2: one fused q/k/v layer (c_attn), and Conv1D layers that store their weight transposed.
gpt2 = AutoModelForCausalLM.from_pretrained("gpt2")
gpt2_lora = LoraConfig(
    r=16,
    lora_alpha=32,
    target_modules=["c_attn", "c_proj", "c_fc"],
    fan_in_fan_out=True,  # Conv1D: without it peft warns and sets it for you
    task_type="CAUSAL_LM",
)
gpt2 = get_peft_model(gpt2, gpt2_lora)
# --8<-- [end:gpt2]

# --8<-- [start:all-linear]
mistral = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1")
mistral_lora = LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM")
mistral = get_peft_model(mistral, mistral_lora)
# peft replaced "all-linear" with the full names of the layers it chose:
chosen = {name.rsplit(".", 1)[-1] for name in mistral.peft_config["default"].target_modules}
print(" ".join(sorted(chosen)))
#> down_proj gate_proj k_proj o_proj q_proj up_proj v_proj
# --8<-- [end:all-linear]
