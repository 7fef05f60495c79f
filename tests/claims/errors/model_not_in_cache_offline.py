import pytest

from kb.claims import claim

OFFLINE_MESSAGE = (
    "We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them in "
    "the cached files.\nCheck your internet connection or see how to run the library in offline "
    "mode at 'https://huggingface.co/docs/transformers/installation#offline-mode'."
)


@claim(
    "Offline, an id that is not in the cache raises `OSError: We couldn't connect to "
    "'https://huggingface.co' to load the files, and couldn't find them in the cached files.` "
    "The message does not name the model id."
)
def offline_oserror(error, model_id):
    assert type(error) is OSError
    assert str(error) == OFFLINE_MESSAGE
    assert model_id not in str(error)


@claim(
    "The chained cause is huggingface_hub's `LocalEntryNotFoundError`, which says that outgoing "
    "traffic has been disabled."
)
def cause(error):
    from huggingface_hub.errors import LocalEntryNotFoundError

    assert type(error.__cause__) is LocalEntryNotFoundError
    assert str(error.__cause__) == (
        "Cannot find the requested files in the disk cache and outgoing traffic has been disabled. "
        "To enable hf.co look-ups and downloads online, set 'local_files_only' to False."
    )
    return f"{type(error.__cause__).__name__}: {error.__cause__}"


@claim(
    "A typo in an id that is cached (`Qwen/Qwen2.5-0.5B-Instruc`) gives exactly the same message, "
    "and so does the tokenizer."
)
def typo_same_message():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with pytest.raises(OSError) as model_info:
        AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruc")
    with pytest.raises(OSError) as tokenizer_info:
        AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruc")
    assert str(model_info.value) == str(tokenizer_info.value) == OFFLINE_MESSAGE
    AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")  # the right id loads


@claim(
    "A local folder that does not exist is not reported as missing: `./my-model` is taken for a "
    "repo id and rejected as an invalid one."
)
def missing_folder():
    from transformers import AutoModelForCausalLM

    with pytest.raises(OSError) as info:
        AutoModelForCausalLM.from_pretrained("./my-model")
    assert str(info.value) == (
        "Repo id must use alphanumeric chars, '-', '_' or '.'. The name cannot start or end with "
        "'-' or '.' and the maximum length is 96: './my-model'."
    )
    return f"OSError: {info.value}"
