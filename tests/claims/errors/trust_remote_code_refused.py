import sys

from kb.claims import claim

# One claim answers the prompt and loads the model: a 7B checkpoint at full size (GPU job).
TIMEOUT = 600

MESSAGE = (
    "The repository internlm/internlm2_5-7b-chat contains custom code which must be executed "
    "to correctly load the model. You can inspect the repository content at "
    "https://hf.co/internlm/internlm2_5-7b-chat .\n"
    " You can inspect the repository content at https://hf.co/internlm/internlm2_5-7b-chat.\n"
    "Please pass the argument `trust_remote_code=True` to allow custom code to be run."
)


@claim(
    "Without `trust_remote_code` and without a terminal to answer in, loading raises a "
    "`ValueError` that names the repository and asks for `trust_remote_code=True`."
)
def refused(error):
    assert type(error) is ValueError
    assert str(error) == MESSAGE


@claim(
    "transformers first tried to prompt: the question "
    '"Do you wish to run the custom code? [y/N]" was written to the console, and '
    "end-of-file on standard input counted as a refusal."
)
def prompted_first(error, log):
    question = "Do you wish to run the custom code? [y/N]"
    start = log.index("The repository internlm/internlm2_5-7b-chat contains custom code")
    end = log.index(question, start) + len(question)
    prompt = log[start:end]
    assert (
        "You can avoid this prompt in future by passing the argument `trust_remote_code=True`."
        in prompt
    )
    assert type(error) is ValueError
    return prompt


@claim("Nothing from the repository was imported: no `transformers_modules` module exists.")
def nothing_ran(error):
    assert type(error) is ValueError
    assert not any(name.startswith("transformers_modules") for name in sys.modules)


@claim("`trust_remote_code=False` raises the same `ValueError` at once, without prompting.")
def explicit_false(error):
    import builtins

    import pytest
    from transformers import AutoModelForCausalLM

    prompts = []
    original = builtins.input
    builtins.input = lambda prompt="": prompts.append(prompt) or ""
    try:
        with pytest.raises(ValueError) as info:
            AutoModelForCausalLM.from_pretrained(
                "internlm/internlm2_5-7b-chat", trust_remote_code=False
            )
    finally:
        builtins.input = original
    assert str(info.value) == MESSAGE
    assert prompts == []


@claim(
    "The prompt waits 15 seconds (`TIME_OUT_REMOTE_CODE`) and comes twice, once for the "
    "config class and once for the model class; answering `y` both times loads the model "
    "with the repository's class, as `trust_remote_code=True` does."
)
def answering_yes_loads(error):
    import builtins

    from transformers import AutoModelForCausalLM
    from transformers.dynamic_module_utils import TIME_OUT_REMOTE_CODE

    assert TIME_OUT_REMOTE_CODE == 15
    prompts = []
    original = builtins.input
    builtins.input = lambda prompt="": prompts.append(prompt) or "y"
    try:
        model = AutoModelForCausalLM.from_pretrained("internlm/internlm2_5-7b-chat")
    finally:
        builtins.input = original
    assert len(prompts) == 2
    assert all(p.endswith("Do you wish to run the custom code? [y/N] ") for p in prompts)
    assert type(model).__module__.startswith("transformers_modules.internlm.")
