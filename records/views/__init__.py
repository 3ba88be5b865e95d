"""Pages of records, one module per object: ``records`` (a volunteer's record, the national export, a
resident's page), ``certificates`` (the PDF and its public verification), the organisation page with
its reviews (``organizations``)."""
