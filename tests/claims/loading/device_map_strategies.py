from kb.claims import claim


@claim(
    '`"auto"`, `"balanced"`, `"balanced_low_0"` and `"sequential"` are all still accepted '
    "by `device_map`; without a GPU each places the whole model on the CPU, with no `hf_device_map`."
)
def strategies_accepted(output):
    lines = output.splitlines()
    assert lines == [f"{s} cpu False" for s in ("auto", "balanced", "balanced_low_0", "sequential")]


@claim(
    'With one GPU, `device_map="auto"` and the other strategies put a small model on `cuda:0`.',
    needs="gpu",
)
def strategies_on_gpu(output):
    assert all(line.split()[1] == "cuda:0" for line in output.splitlines())
