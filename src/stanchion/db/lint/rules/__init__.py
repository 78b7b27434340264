"""Migration lint rules, one per module; ``stanchion.db.lint.all_rules()`` finds them."""
