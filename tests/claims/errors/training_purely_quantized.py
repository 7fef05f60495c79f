import warnings

import pytest

from kb.claims import claim

MESSAGE = (
    "You cannot perform fine-tuning on purely quantized models. Please attach trainable adapters "
    "on top of the quantized model to correctly perform fine-tuning. Please see: "
    "https://huggingface.co/docs/transformers/peft for more details"
)


@claim(
    "Handing a 4-bit model without adapters to `Trainer` raises `ValueError: You cannot perform "
    "fine-tuning on purely quantized models. ...` when the `Trainer` is created, before any "
    "training step."
)
def raises_value_error(error, model, args, train_dataset):
    from transformers import Trainer

    assert type(error) is ValueError
    assert str(error) == MESSAGE
    assert model.is_loaded_in_4bit is True
    with pytest.raises(ValueError) as raised:
        Trainer(model=model, args=args, train_dataset=train_dataset)  # no train() call needed
    assert str(raised.value) == MESSAGE


@claim(
    "`prepare_model_for_kbit_training` alone does not help: the prepared model has no adapter, "
    "so `Trainer` raises the same error."
)
def prepare_is_not_enough(model, args, train_dataset):
    from peft import prepare_model_for_kbit_training
    from transformers import Trainer

    prepared = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    with pytest.raises(ValueError) as raised:
        Trainer(model=prepared, args=args, train_dataset=train_dataset)
    assert str(raised.value) == MESSAGE


@claim(
    "Any attached adapter lifts the check: after `model.add_adapter(LoraConfig(...))`, or wrapped "
    "by `get_peft_model`, the same 4-bit model is accepted."
)
def adapter_lifts_it(model_id, bnb_config, args, train_dataset):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, Trainer

    def fresh():
        return AutoModelForCausalLM.from_pretrained(
            model_id, quantization_config=bnb_config, dtype=bnb_config.bnb_4bit_compute_dtype
        )

    native = fresh()
    native.add_adapter(LoraConfig(target_modules="all-linear"))
    assert Trainer(model=native, args=args, train_dataset=train_dataset).model is native
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        wrapped = get_peft_model(fresh(), LoraConfig(target_modules="all-linear"))
    assert Trainer(model=wrapped, args=args, train_dataset=train_dataset).model is wrapped
