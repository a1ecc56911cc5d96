"""The sandbox README's curl walk-through, run as pasted: authorize → confirm → get → partial cancel → cancel rest
→ transactions."""

from __future__ import annotations

import re
import shutil
import subprocess

from tests.support.servers import ROOT

PY_PAYMENT_KEY = """python3 -c 'import json,sys; print(json.load(sys.stdin)["paymentKey"])'"""


def readme_walk_through() -> str:
    text = (ROOT / "payapp" / "sandbox" / "README.md").read_text(encoding="utf-8")
    match = re.search(r"## Walk-through \(curl\).*?```bash\n(.*?)```", text, re.S)
    assert match, "payapp/sandbox/README.md has no '## Walk-through (curl)' bash block"
    return match.group(1)


def test_readme_walk_through_works_when_pasted(sandbox, sandbox_url):
    script = readme_walk_through()
    assert "SBX=http://127.0.0.1:8787\n" in script
    script = script.replace("SBX=http://127.0.0.1:8787\n", f"SBX={sandbox_url}\n")
    if shutil.which("jq") is None:  # the README's own fallback; the curl commands stay as written
        assert PY_PAYMENT_KEY in (ROOT / "payapp" / "sandbox" / "README.md").read_text(encoding="utf-8")
        script = script.replace("jq -r .paymentKey", PY_PAYMENT_KEY)
        script = re.sub(r"\| jq (-c )?'[^']*'", "| cat", script)
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "PARTIAL_CANCELED" in run.stdout and "CANCELED" in run.stdout.split("PARTIAL_CANCELED")[-1]
    [payment] = sandbox.get("/_sandbox/payments").json()["data"]
    assert payment["paymentKey"] in run.stdout
    assert (payment["status"], payment["balanceAmount"]) == ("CANCELED", 0)
    assert [c["cancelAmount"] for c in payment["cancels"]] == [5000, 10000]
    log = sandbox.get("/_sandbox/requests").json()["data"]
    assert [(e["method"], e["status"]) for e in log] == [
        ("POST", 200),
        ("GET", 200),
        ("POST", 200),
        ("POST", 200),
        ("GET", 200),
    ]
    assert log[-1]["path"] == "/v1/transactions"
    # Step 6 lists the approval and the two cancels, in that order.
    tail = run.stdout[run.stdout.rindex("cancels") :]
    assert tail.index("DONE") < tail.index("PARTIAL_CANCELED") < tail.rindex('"CANCELED"')
