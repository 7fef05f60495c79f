from kb.claims import claim

OFFLINE_MESSAGE = (
    "We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find "
    "them in the cached files.\nCheck your internet connection or see how to run the library "
    "in offline mode at 'https://huggingface.co/docs/transformers/installation#offline-mode'."
)


@claim(
    "Offline, a revision the cache does not hold raises `OSError` with the generic "
    "\"We couldn't connect to 'https://huggingface.co'\" message, which does not name the revision."
)
def offline_oserror(error):
    assert type(error) is OSError
    assert str(error) == OFFLINE_MESSAGE
    assert "v2.0" not in str(error)


@claim(
    "It is the revision that is missing, not the model: the same id loads offline with "
    '`revision="main"`, and a full commit hash the cache lacks fails the same way.'
)
def only_the_revision(error):
    import pytest
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct", revision="main")
    assert type(model).__name__ == "Qwen2ForCausalLM"
    with pytest.raises(OSError) as info:
        AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct", revision="f" * 40)
    assert str(info.value) == OFFLINE_MESSAGE
