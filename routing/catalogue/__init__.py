"""Dispatch catalogue (派单目录) and locality (属地).

* ``routing.catalogue.models``: ``CatalogueRule`` (current rule, with ``disputes`` counter),
  ``CatalogueRuleVersion`` (every change, immutable), ``GazetteerPlace``.
* ``routing.catalogue.service``: CRUD with versions (``create_rule``, ``update_rule``, ``delete_rule``,
  ``list_rules``, ``rule_versions``), ``match_rule`` (precedence: region-specific before city-wide,
  keyword hits before none), ``count_dispute``, ``load_demo_catalogue``.
* ``routing.catalogue.locality``: ``LocalityIndex`` (built once from the gazetteer) with
  ``resolve(address) -> LocalityMatch | None`` (exact alias containment, then rapidfuzz).
"""
