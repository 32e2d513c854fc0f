"""The web pages in a real browser: tests/browser (node's test runner with
playwright-core driving Debian's Chromium) against this module's stack.

`tools/minhu-dev test` installs chromium and node, and runs `npm ci` in
tests/browser; this wrapper starts nothing but hands the stack's URL, tokens
and database to `node --test` and fails when any browser test fails.
Screenshots land in tests/artifacts/ (MINHU_DOCS_SCREENSHOTS=1 also copies
them to docs/ui/).
"""

import os
import re
import shutil
import subprocess

import pytest

from conftest import psql_path, source_dir

CHROMIUM = os.environ.get("MINHU_CHROMIUM", "/usr/bin/chromium")
NODE_TIMEOUT = 600


def browser_dir():
    return os.path.join(source_dir(), "tests", "browser")


def test_browser_pages(stack):
    node = shutil.which("node")
    assert node, "node is not installed (tools/minhu-dev test installs nodejs)"
    assert os.access(CHROMIUM, os.X_OK), \
        "%s is missing (tools/minhu-dev test installs Debian's chromium)" % CHROMIUM
    assert os.path.isdir(os.path.join(browser_dir(), "node_modules", "playwright-core")), \
        "playwright-core is not installed: run `npm ci` in tests/browser (tools/minhu-dev test does)"

    artifacts = os.path.join(source_dir(), "tests", "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "MINHU_URL": stack.url,
        "MINHU_TOKEN_OPERATOR": stack.tokens["operator"],
        "MINHU_TOKEN_UNIT": stack.tokens["unit"],
        "MINHU_TOKEN_UNIT2": stack.tokens["unit2"],
        "MINHU_TOKEN_DEPT": stack.token("unit", "test-unit-cgj", "dept-q-cgj"),
        "MINHU_TOKEN_LEADER": stack.tokens["leader"],
        "MINHU_TEST_DSN": stack.dsn,
        "MINHU_PSQL": psql_path(),
        "MINHU_ARTIFACTS": artifacts,
        "MINHU_CHROMIUM": CHROMIUM,
        "NO_COLOR": "1",
    })
    proc = subprocess.run(
        [node, "--test", "--test-concurrency=1", "--test-reporter=spec",
         "logic.test.mjs", "e2e.test.mjs"],
        cwd=browser_dir(), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=NODE_TIMEOUT)
    out = proc.stdout + proc.stderr
    with open(os.path.join(artifacts, "browser-tests.log"), "w", encoding="utf-8") as f:
        f.write(out)
    passed = re.findall(r"^\S* ?pass (\d+)$", out, re.M)
    failed = re.findall(r"^\S* ?fail (\d+)$", out, re.M)
    print(out[-6000:])
    print("browser tests: %s passed, %s failed" % (passed[-1] if passed else "?",
                                                   failed[-1] if failed else "?"))
    assert proc.returncode == 0, "browser tests failed (exit %d):\n%s" % (
        proc.returncode, out[-12000:])
    assert passed and int(passed[-1]) > 0, "no browser test ran:\n" + out[-4000:]
