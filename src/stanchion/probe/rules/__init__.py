"""Probe rules, one per module; ``stanchion.probe.all_rules()`` finds them."""
