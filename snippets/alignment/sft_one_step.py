import torch
from accelerate import PartialState
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import ModelConfig, SFTConfig, SFTTrainer, get_peft_config, get_quantization_config

# --8<-- [start:options]
model_args = ModelConfig(
    model_name_or_path="Qwen/Qwen2.5-0.5B-Instruct",
    dtype="bfloat16",
    attn_implementation="sdpa",
    load_in_4bit=True,
    use_bnb_nested_quant=True,
    use_peft=True,
    lora_r=16,
    lora_alpha=32,
    lora_target_modules=["all-linear"],
)
# --8<-- [end:options]

# --8<-- [start:load]
quantization_config = get_quantization_config(model_args)
if quantization_config is not None and torch.cuda.is_available():
    device_map = {"": PartialState().local_process_index}
else:
    device_map = None
model = AutoModelForCausalLM.from_pretrained(
    model_args.model_name_or_path,
    revision=model_args.model_revision,
    dtype=model_args.dtype,
    attn_implementation=model_args.attn_implementation,
    use_cache=False,  # activation checkpointing below
    quantization_config=quantization_config,
    device_map=device_map,
)
tokenizer = AutoTokenizer.from_pretrained(model_args.model_name_or_path)
# --8<-- [end:load]

# --8<-- [start:adapter]
peft_config = get_peft_config(model_args)  # a LoraConfig built from the lora_* options
model.add_adapter(peft_config)  # instead of SFTTrainer(peft_config=...), see below
# --8<-- [end:adapter]

# --8<-- [start:train]
dataset = Dataset.from_dict(
    {
        "messages": [
            [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello."}],
            [{"role": "user", "content": "2 + 2?"}, {"role": "assistant", "content": "4"}],
        ]
    }
)
training_args = SFTConfig(
    output_dir="out",
    max_steps=1,
    per_device_train_batch_size=2,
    activation_checkpointing=True,  # not gradient_checkpointing, deprecated in transformers 5
    use_cpu=not torch.cuda.is_available(),  # SFTConfig turns bf16 on, which needs it on a CPU
    report_to="none",
    save_strategy="no",
)
trainer = SFTTrainer(
    model=model, args=training_args, train_dataset=dataset, processing_class=tokenizer
)
lora_before = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
trainer.train()
print(type(trainer.model).__name__, trainer.state.global_step)
#> Qwen2ForCausalLM 1
print({p.dtype for p in model.parameters() if p.requires_grad})
#> {torch.bfloat16}
# --8<-- [end:train]
