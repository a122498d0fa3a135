"""Scans IAM policy documents with Cloudsplaining and parliament (the pinned toolchain's venv).

Reads {"name": policy document, ...} as JSON on stdin and prints, per name, Cloudsplaining's
findings in its default mode (statements with resource ARNs or conditions are trusted) and in
its strict mode (every risky action is flagged, whatever its constraints), and parliament's
findings with the community auditors. Called by iam-scanners.test.ts.
"""

import json
import sys
from pathlib import Path

import parliament as parliament_package

from cloudsplaining.command.scan_policy_file import scan_policy
from parliament import analyze_policy_string, enhance_finding

RISKS = ["PrivilegeEscalation", "ResourceExposure", "DataExfiltration", "CredentialsExposure"]


def cloudsplaining(document, strict):
    results = scan_policy(
        document,
        {},
        flag_conditional_statements=strict,
        flag_resource_arn_statements=strict,
    )
    out = {}
    for risk in RISKS:
        findings = (results.get(risk) or {}).get("findings") or []
        if risk == "PrivilegeEscalation":
            # One finding per escalation method, each naming the actions that make it.
            findings = sorted({a for f in findings for a in f.get("actions", [])})
        out[risk] = sorted(str(f).lower() for f in findings)
    return out


# What `parliament --include-community-auditors` loads: the community auditors' own settings.
parliament_package.override_config(
    Path(parliament_package.__file__).parent / "community_auditors" / "config_override.yaml"
)


def parliament(document):
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=True)
    findings = []
    for finding in map(enhance_finding, policy.findings):
        location = finding.location or {}
        actions = set(str(a).lower() for a in location.get("actions", []) or [])
        detail = finding.detail if isinstance(finding.detail, list) else []
        # RESOURCE_MISMATCH names each action in its detail, RESOURCE_STAR lists them.
        for item in detail:
            if isinstance(item, dict) and "action" in item:
                actions.add(str(item["action"]).lower())
            elif isinstance(item, str):
                actions.add(item.lower())
        findings.append(
            {
                "issue": finding.issue,
                "severity": finding.severity,
                "actions": sorted(actions),
                "detail": finding.detail if isinstance(finding.detail, str) else "",
            }
        )
    return findings


def main():
    documents = json.load(sys.stdin)
    report = {}
    for name, document in documents.items():
        report[name] = {
            "cloudsplaining": cloudsplaining(document, strict=False),
            "cloudsplainingStrict": cloudsplaining(document, strict=True),
            "parliament": parliament(document),
        }
    json.dump(report, sys.stdout)


main()
