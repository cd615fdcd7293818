"""Connectors that misbehave the way other agencies' systems do."""

import time

from connectors.base import CheckResult, Connector, ConnectorError


class Flaky(Connector):
    check = "flaky"
    source = "Hệ thống thử"
    failures = 1

    def run(self, params, *, timeout):
        if Flaky.failures > 0:
            Flaky.failures -= 1
            raise ConnectorError("503 Service Unavailable")
        return CheckResult(passed=True, detail="Đạt", data={"echo": params})


class Slow(Connector):
    check = "slow"
    source = "Hệ thống chậm"

    def run(self, params, *, timeout):
        time.sleep(params.get("seconds", 5))
        return CheckResult(passed=True)


class Broken(Connector):
    check = "broken"
    source = "Hệ thống lỗi"

    def run(self, params, *, timeout):
        raise KeyError("an unexpected answer")
