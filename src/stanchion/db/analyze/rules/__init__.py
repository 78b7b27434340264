"""Analysis rules, one per module; ``stanchion.db.analyze.all_rules()`` finds them."""
