"""Probe rules, one per module; ``stanchion.probe.run.all_rules()`` finds them."""
