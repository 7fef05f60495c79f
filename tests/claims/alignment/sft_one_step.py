import math

import pytest
import torch

from kb.claims import claim

# The GPU job loads the full-size model; datasets hashes trl's map functions on every run.
TIMEOUT = 600

MODEL_ID = "Qwen/Qwen2.5-0.5B-Instruct"
LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
SFT_ARGS = dict(max_steps=1, report_to="none", save_strategy="no")


def _fresh(quantization_config):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        MODEL_ID, dtype="bfloat16", quantization_config=quantization_config
    )


@claim(
    "`get_peft_config` turns the `lora_*` options into a `LoraConfig` (r 16, alpha 32, dropout "
    '0.05, causal LM), and `"all-linear"` puts LoRA on all seven projections of every block.'
)
def peft_config_from_options(peft_config, model, model_args):
    from peft import LoraConfig

    assert isinstance(peft_config, LoraConfig)
    assert (peft_config.r, peft_config.lora_alpha, peft_config.lora_dropout) == (16, 32, 0.05)
    assert peft_config.task_type == "CAUSAL_LM"
    assert model_args.lora_target_modules == "all-linear"
    wrapped = {n.split(".")[-4] for n, _ in model.named_parameters() if "lora_" in n}
    assert wrapped == set(LINEARS)
    assert not any("lm_head" in n and "lora_" in n for n, _ in model.named_parameters())


@claim(
    "The policy's seven projections in every block are bitsandbytes `Linear4bit` layers with "
    "packed `uint8` nf4 weights, nested quantization and bfloat16 compute, under the LoRA "
    "wrappers."
)
def policy_is_4bit(model):
    import bitsandbytes as bnb

    bases = [m.base_layer for n, m in model.named_modules() if n.rsplit(".", 1)[-1] in LINEARS]
    assert len(bases) == len(LINEARS) * model.config.num_hidden_layers
    for base in bases:
        assert type(base) is bnb.nn.Linear4bit
        assert base.weight.dtype == torch.uint8
        assert base.compute_dtype == torch.bfloat16
        assert base.weight.quant_state.quant_type == "nf4"
        assert base.weight.quant_state.nested is True


@claim(
    "One optimizer step ran on the 4-bit policy, with a finite loss; `SFTTrainer` trains the "
    "model it was given, not a `PeftModel` wrapper."
)
def one_step(trainer, model, output):
    assert output.splitlines()[0] == "Qwen2ForCausalLM 1"
    assert trainer.state.global_step == 1
    assert trainer.model is model
    assert model.is_loaded_in_4bit is True
    losses = [e["train_loss"] for e in trainer.state.log_history if "train_loss" in e]
    assert len(losses) == 1 and math.isfinite(losses[0])
    return f"loss {losses[0]:.3f} on the random-weight stand-in"


@claim(
    "The step moved the adapter and nothing else: every `lora_B` matrix left zero, every "
    "`lora_A` is unchanged, and the 4-bit base weights equal those of a fresh load."
)
def only_adapter_moved(model, lora_before, quantization_config):
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert set(trainable) == set(lora_before)
    for name, p in trainable.items():
        if ".lora_B." in name:
            assert not lora_before[name].any() and p.any(), name
        else:
            assert ".lora_A." in name and torch.equal(p, lora_before[name]), name
    fresh = dict(_fresh(quantization_config).named_parameters())
    packed = [(n, p) for n, p in model.named_parameters() if p.dtype == torch.uint8]
    assert len(packed) == len(LINEARS) * model.config.num_hidden_layers
    for name, p in packed:
        plain = name.replace(".base_layer.", ".")
        assert torch.equal(p.cpu(), fresh[plain].cpu()), name


@claim(
    "`SFTTrainer` casts the trainable LoRA weights of a quantized model to bfloat16 (even ones "
    "that were float32), and does not run `prepare_model_for_kbit_training`: the norms and "
    "embeddings stay bfloat16."
)
def sft_dtypes(model, output, quantization_config, tokenizer, dataset):
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    assert output.splitlines()[1] == "{torch.bfloat16}"
    assert model.get_input_embeddings().weight.dtype == torch.bfloat16
    norms = [p for n, p in model.named_parameters() if "norm" in n]
    assert norms and {p.dtype for p in norms} == {torch.bfloat16}
    other = _fresh(quantization_config)
    other.add_adapter(LoraConfig(r=4, target_modules=["q_proj"]))
    for p in other.parameters():
        if p.requires_grad:
            p.data = p.data.float()
    args = SFTConfig(output_dir="out2", activation_checkpointing=True, use_cpu=True, **SFT_ARGS)
    SFTTrainer(model=other, args=args, train_dataset=dataset, processing_class=tokenizer)
    assert {p.dtype for p in other.parameters() if p.requires_grad} == {torch.bfloat16}


@claim(
    "`activation_checkpointing=True` reached the model (and `use_cache` is off), with no "
    "deprecation warning."
)
def checkpointing(model, training_args):
    assert training_args.activation_checkpointing is True
    assert model.is_activation_checkpointing is True
    assert model.config.use_cache is False


@claim(
    "An `SFTConfig` left at its defaults sets the deprecated `gradient_checkpointing=True`, so "
    "transformers 5.23 emits a `FutureWarning` when it is built."
)
def default_config_warns():
    from trl import SFTConfig

    with pytest.warns(FutureWarning) as record:
        args = SFTConfig(output_dir="out3", use_cpu=True, **SFT_ARGS)
    texts = [str(w.message) for w in record if issubclass(w.category, FutureWarning)]
    assert texts[0] == (
        "`gradient_checkpointing` is deprecated and will be removed in v6. "
        "Use `activation_checkpointing` instead."
    )
    assert args.activation_checkpointing is True
    return f"FutureWarning: {texts[0]}"


@claim(
    "Passing `peft_config=` to `SFTTrainer` instead wraps the model with peft's "
    "`get_peft_model`, which emits a `FutureWarning` about `is_gradient_checkpointing`; the "
    "trainable LoRA matrices are the same ones `add_adapter` creates."
)
def peft_config_argument_warns(quantization_config, peft_config, tokenizer, dataset, model):
    from peft import PeftModel
    from trl import SFTConfig, SFTTrainer

    args = SFTConfig(output_dir="out4", activation_checkpointing=True, use_cpu=True, **SFT_ARGS)
    with pytest.warns(FutureWarning) as record:
        trainer = SFTTrainer(
            model=_fresh(quantization_config),
            args=args,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=peft_config,
        )
    assert isinstance(trainer.model, PeftModel)
    theirs = {
        n.removeprefix("base_model.model.")
        for n, p in trainer.model.named_parameters()
        if p.requires_grad
    }
    assert theirs == {n for n, p in model.named_parameters() if p.requires_grad}
    texts = [str(w.message) for w in record if issubclass(w.category, FutureWarning)]
    assert "`is_gradient_checkpointing` is deprecated and will be removed in v6. " in texts[0]
    return f"FutureWarning: {texts[0]}"


@claim(
    "`SFTConfig` turns `bf16` on by default; on a machine without a GPU, building it without "
    "`use_cpu=True` raises `ValueError: Your setup doesn't support bf16/gpu. You need to assign "
    "use_cpu if you want to train the model on CPU.`",
    needs="cpu",
)
def bf16_needs_use_cpu(training_args):
    from trl import SFTConfig

    assert training_args.bf16 is True
    with pytest.raises(ValueError) as failure:
        SFTConfig(output_dir="out5", activation_checkpointing=True, **SFT_ARGS)
    assert str(failure.value) == (
        "Your setup doesn't support bf16/gpu. You need to assign use_cpu if you want to train "
        "the model on CPU."
    )
    return f"ValueError: {failure.value}"


@claim("Without a GPU the device map stays None and training runs on the CPU.", needs="cpu")
def on_cpu(device_map, model, training_args):
    assert device_map is None
    assert training_args.use_cpu is True
    assert training_args.device.type == "cpu"
    assert {p.device.type for p in model.parameters()} == {"cpu"}


@claim(
    "With a GPU, the policy is pinned whole to this process's GPU and trains there in bf16.",
    needs="gpu",
)
def on_gpu(device_map, model, training_args):
    assert device_map == {"": 0}
    assert training_args.use_cpu is False and training_args.bf16 is True
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}
