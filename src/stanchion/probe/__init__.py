"""The security probe: check a running API from outside the way an attacker would, within a budget.

    from stanchion.probe.run import probe
    result = probe("http://127.0.0.1:8000", spec="openapi.yaml", token=a, token_b=b)

``run.py`` runs the rules, ``client.py`` is the one HTTP client, ``rules/`` holds one rule a module and
``ratelimit.py`` the 429 classification ``stanchion load`` shares (this package's import stays empty so
that sharing costs nothing).
"""
