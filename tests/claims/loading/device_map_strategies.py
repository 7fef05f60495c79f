from kb.claims import claim


@claim(
    '`"auto"`, `"balanced"`, `"balanced_low_0"` and `"sequential"` are all still accepted '
    "by `device_map`; without a GPU each places the whole model on the CPU, with no `hf_device_map`.",
    needs="cpu",
)
def strategies_accepted(output):
    lines = output.splitlines()
    assert lines == [f"{s} cpu False" for s in ("auto", "balanced", "balanced_low_0", "sequential")]


@claim('With one GPU, `device_map="auto"` puts gpt2 on `cuda:0`.', needs="gpu")
def auto_on_gpu(output):
    assert output.splitlines()[0].split()[:2] == ["auto", "cuda:0"]
