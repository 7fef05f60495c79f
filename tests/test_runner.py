"""The snippet runner: isolation, time limits, deprecations, output checks, error snippets.

These run throwaway snippets that need no stand-in checkpoint (tiny models are built in the
snippet's own working directory), through the same runner the suite uses.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kb.verify.client import Runner


@pytest.fixture(scope="module")
def runner():
    with Runner(None) as r:
        yield r


@pytest.fixture
def make(tmp_path):
    """Write a snippet and its claims file; return a function that runs them."""

    def write(name: str, snippet: str, claims: str | None = None) -> tuple[Path, Path | None]:
        s = tmp_path / f"{name}.py"
        s.write_text(textwrap.dedent(snippet).lstrip())
        c = None
        if claims is not None:
            c = tmp_path / f"{name}_claims.py"
            c.write_text(
                "from kb.verify.claims import claim\n\n" + textwrap.dedent(claims).lstrip()
            )
        return s, c

    return write


def run(runner, files, **kw):
    snippet, claims = files
    kw.setdefault("timeout", 60)
    return runner.run(snippet.stem, snippet, claims, **kw)


POLLUTER = """
import logging
import os
import sys
import warnings

import torch
import transformers

torch.set_default_dtype(torch.float16)
torch.manual_seed(1234)
os.environ["KB_LEAK"] = "1"
warnings.simplefilter("ignore")
transformers.logging.set_verbosity_error()
transformers.KB_LEAK = True
sys.modules["kb_leak_module"] = object()
logging.getLogger().setLevel(logging.CRITICAL)
print(torch.get_default_dtype())
#> torch.float16
"""

CHECKER = """
import os
import sys
import warnings

import torch
import transformers

default_dtype = torch.get_default_dtype()
leaked_env = os.environ.get("KB_LEAK")
leaked_attr = hasattr(transformers, "KB_LEAK")
leaked_module = "kb_leak_module" in sys.modules
verbosity = transformers.logging.get_verbosity()
first_random = torch.rand(1).item()
"""


def test_state_does_not_leak_between_snippets(runner, make):
    polluter = run(runner, make("polluter", POLLUTER, "@claim('ran')\ndef ran(torch):\n    pass\n"))
    assert polluter.ok, polluter.problems
    checker = run(
        runner,
        make(
            "checker",
            CHECKER,
            """
        @claim("the default dtype is float32 again")
        def dtype(default_dtype):
            import torch
            assert default_dtype == torch.float32

        @claim("no environment variable, module attribute or module leaked")
        def clean(leaked_env, leaked_attr, leaked_module):
            assert (leaked_env, leaked_attr, leaked_module) == (None, False, False)

        @claim("logging verbosity is the library default")
        def verbosity_default(verbosity):
            import logging
            assert verbosity == logging.WARNING
    """,
        ),
    )
    assert checker.ok, (checker.problems, checker.claims)
    assert [c.outcome for c in checker.claims] == ["passed"] * 3


def test_warning_filters_do_not_leak(runner, make):
    run(
        runner,
        make(
            "silencer",
            "import warnings\nwarnings.simplefilter('ignore')\n",
            "@claim('ran')\ndef ran():\n    pass\n",
        ),
    )
    res = run(
        runner,
        make(
            "warner",
            """
        import warnings
        from transformers.utils import logging
        warnings.warn("transformers-style deprecation", FutureWarning, stacklevel=1)
    """,
            "@claim('ran')\ndef ran():\n    pass\n",
        ),
    )
    # the warning is attributed to the snippet's own line: that counts as a deprecation
    assert not res.ok
    assert any("FutureWarning" in p and "transformers-style deprecation" in p for p in res.problems)


TINY_GPT2 = """
import torch
from transformers import GPT2Config, GPT2LMHeadModel

GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=64)).save_pretrained("tiny")
"""


def test_torch_dtype_fails_with_the_logged_deprecation(runner, make):
    # transformers 5.23 logs this line (not a Python warning) where it still reads torch_dtype
    res = run(
        runner,
        make(
            "old_api",
            """
import torch
from transformers import AutoModelForCausalLM, GPT2Config

config = GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=64)
model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16)
""",
            "@claim('loads')\ndef loads(model):\n    pass\n",
        ),
    )
    assert not res.ok
    text = "\n".join(res.problems)
    assert "`torch_dtype` is deprecated! Use `dtype` instead!" in text
    assert "Update the snippet to the current API" in text


def test_library_future_warning_fails(runner, make):
    res = run(
        runner,
        make(
            "checkpointing",
            TINY_GPT2
            + """
model = GPT2LMHeadModel.from_pretrained("tiny", dtype=torch.float32)
model.gradient_checkpointing_enable()
""",
            "@claim('loads')\ndef loads(model):\n    pass\n",
        ),
    )
    assert not res.ok
    assert any("FutureWarning" in p for p in res.problems), res.problems


def test_current_api_passes_and_reports_memory(runner, make):
    res = run(
        runner,
        make(
            "current",
            TINY_GPT2
            + """
model = GPT2LMHeadModel.from_pretrained("tiny", dtype=torch.bfloat16)
print(model.dtype)
#> torch.bfloat16
""",
            """
        @claim("bf16")
        def bf16(model):
            import torch
            assert model.dtype == torch.bfloat16
            return "checked"
    """,
        ),
    )
    assert res.ok, res.problems
    assert res.output == "torch.bfloat16"
    assert res.claims[0].evidence == "checked"
    assert res.peak_rss_mib and res.peak_rss_mib > 0
    assert res.environment["versions"]["transformers"].startswith("5.")


def test_output_mismatch_names_the_update_command(runner, make):
    files = make("printer", "print(1 + 1)\n#> 3\n", "@claim('ran')\ndef ran():\n    pass\n")
    res = run(runner, files)
    assert not res.ok
    assert any("#> lines" in p and "make update-examples" in p for p in res.problems)
    updated = run(runner, files, update_examples=True)
    assert updated.updated_source == "print(1 + 1)\n#> 2\n"
    assert files[0].read_text() == "print(1 + 1)\n#> 3\n"  # the runner itself never writes


def test_time_limit(runner, make):
    res = run(
        runner,
        make(
            "sleeper", "import time\ntime.sleep(30)\n", "@claim('never')\ndef never():\n    pass\n"
        ),
        timeout=2,
    )
    assert not res.ok
    assert "time limit of 2 s" in res.problems[0]


def test_crash_is_reported_and_runner_survives(runner, make):
    res = run(
        runner,
        make(
            "crasher",
            "import faulthandler\nfaulthandler._sigsegv()\n",
            "@claim('never')\ndef never():\n    pass\n",
        ),
    )
    assert not res.ok
    assert "crashed" in res.problems[0] and "SIGSEGV" in res.problems[0]
    after = run(
        runner, make("after", "x = 1\n", "@claim('x is 1')\ndef one(x):\n    assert x == 1\n")
    )
    assert after.ok


def test_error_snippet_needs_an_error_claim(runner, make):
    snippet = "raise ValueError('bad value')\n"
    unclaimed = run(
        runner, make("raiser", snippet, "@claim('nothing')\ndef nothing():\n    pass\n")
    )
    assert not unclaimed.ok
    assert "takes `error`" in unclaimed.problems[0]
    claimed = run(
        runner,
        make(
            "raiser2",
            snippet,
            """
        @claim("raises ValueError")
        def raises(error):
            assert type(error) is ValueError and str(error) == "bad value"
    """,
        ),
    )
    assert claimed.ok, claimed.problems
    assert claimed.error["type"] == "ValueError"


def test_error_claim_on_a_snippet_that_does_not_raise(runner, make):
    res = run(runner, make("calm", "x = 1\n", "@claim('raises')\ndef raises(error):\n    pass\n"))
    assert not res.ok
    assert "expects the snippet to raise" in res.claims[0].message


def test_failed_claim_reports_the_assertion(runner, make):
    res = run(
        runner, make("two", "x = 2\n", "@claim('x is 3')\ndef three(x):\n    assert x == 3\n")
    )
    assert not res.ok
    assert res.claims[0].outcome == "failed"
    assert "assert 2 == 3" in res.claims[0].message


def test_warnings_of_handlerless_loggers_reach_the_log(runner, make):
    res = run(
        runner,
        make(
            "lastresort",
            "import logging\n\nlogging.getLogger('accelerate.demo').warning('offloaded to disk')\n",
            "@claim('logged')\ndef logged(log):\n    assert 'offloaded to disk' in log\n",
        ),
    )
    assert res.ok, (res.problems, res.claims)


def test_a_failed_pytest_raises_is_a_failed_claim(runner, make):
    res = run(
        runner,
        make(
            "no_raise",
            "x = 1\n",
            "import pytest\n\n@claim('raises')\ndef raises(x):\n    with pytest.raises(ValueError):\n        pass\n",
        ),
    )
    assert [c.outcome for c in res.claims] == ["failed"]
    assert "DID NOT RAISE" in res.claims[0].message


def test_claim_asking_for_an_undefined_name(runner, make):
    res = run(runner, make("names", "x = 2\n", "@claim('y')\ndef why(y):\n    pass\n"))
    assert "defines no name 'y'" in res.claims[0].message


def test_snippet_without_claims(runner, make):
    res = run(runner, make("lonely", "x = 1\n"))
    assert not res.ok
    assert any("no claims" in p for p in res.problems)


def test_gpu_claims_do_not_run_on_cpu(runner, make):
    res = run(
        runner,
        make(
            "gpu_only",
            "x = 1\n",
            """
        @claim("on cpu")
        def cpu(x):
            pass

        @claim("on gpu", needs="gpu")
        def gpu(x):
            raise AssertionError("must not run on CPU")
    """,
        ),
    )
    assert res.ok
    assert [c.outcome for c in res.claims] == ["passed", "not-run"]


def test_snippet_whose_every_claim_needs_a_gpu_is_not_run_on_cpu(runner, make):
    res = run(
        runner,
        make(
            "oom",
            "raise SystemExit('must not run on CPU')\n",
            """
        @claim("out of memory", needs="gpu")
        def oom(error):
            pass
    """,
        ),
    )
    assert res.ok and res.problems == []
    assert res.skipped == "every claim needs gpu; this run is cpu/small"
    assert [c.outcome for c in res.claims] == ["not-run"]


def test_a_prompt_meets_end_of_file(runner, make):
    res = run(
        runner,
        make(
            "prompt",
            "try:\n    answer = input('run it? [y/N] ')\nexcept EOFError:\n    answer = None\n",
            "@claim('no answer')\ndef none(answer):\n    assert answer is None\n",
        ),
    )
    assert res.ok, (res.problems, res.claims)


def test_run_many_in_parallel_keeps_order_and_isolation(runner, make):
    writer = make(
        "writer",
        "from pathlib import Path\nPath('mine.txt').write_text('a')\n",
        "@claim('wrote')\ndef wrote():\n    pass\n",
    )
    reader = make(
        "reader",
        "from pathlib import Path\nexists = Path('mine.txt').exists()\n",
        "@claim('own folder')\ndef own(exists):\n    assert exists is False\n",
    )
    sleeper = make("slow", "import time\ntime.sleep(30)\n", "@claim('x')\ndef x():\n    pass\n")
    jobs = [
        runner.job(s.stem, s, c, timeout=3 if s.stem == "slow" else 60)
        for s, c in (sleeper, writer, reader)
    ]
    results = runner.run_many(jobs, parallel=2)
    assert [r.key for r in results] == ["slow", "writer", "reader"]
    assert "time limit of 3 s" in results[0].problems[0]
    assert results[1].ok and results[2].ok, (results[1].problems, results[2].claims)


def test_cpu_only_claims_do_not_run_on_gpu(make):
    from kb.verify.claims import missing_needs

    assert missing_needs(("cpu",), "gpu", "full") == ["cpu"]
    assert missing_needs(("cpu",), "cpu", "small") == []
    assert missing_needs(("gpu", "full"), "gpu", "small") == ["full"]
    assert missing_needs(("full",), "cpu", "full") == []


def test_a_child_with_all_the_cores_does_not_hang(runner, make):
    # one job at a time: the child gets every core; a thread pool the server had started
    # before forking would leave it waiting forever on threads that do not exist
    snippet, claims = make(
        "threads",
        "import torch\n\nproduct = torch.ones(512, 512) @ torch.ones(512, 512)\n",
        "@claim('It multiplied.')\ndef multiplied(product):\n    assert product[0, 0] == 512\n",
    )
    job = runner.job(snippet.stem, snippet, claims, timeout=60)
    (result,) = runner.run_many([job], parallel=1)
    assert result.ok, result.problems


def test_a_gpu_runner_leaves_cuda_to_its_children(make):
    # bitsandbytes asks CUDA for the device when imported (peft and trl import it): a server
    # that imported them would have initialised CUDA, and no fork of it could use the GPU
    snippet, claims = make(
        "gpu_server",
        "import sys\n\nwarm = sorted(m for m in ('bitsandbytes', 'peft', 'trl') if m in sys.modules)\n",
        "@claim('The server imported none of them.')\ndef none_imported(warm):\n    assert warm == []\n",
    )
    with Runner(None, environment="gpu") as gpu_runner:
        result = run(gpu_runner, (snippet, claims))
    assert result.ok, result.problems
    assert result.environment["device"] == "CPU"  # named by the child: no GPU here
