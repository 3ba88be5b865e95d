"""``core.filtering.apply_filters`` skips the FilterSet when no filter is asked for: that is only
right while every FilterSet of the project leaves the rows alone for an empty query. This holds it,
for each FilterSet the lists use, on the SQL the list would send."""

import django_filters
import pytest
from django.apps import apps

from core.filtering import apply_filters

pytestmark = pytest.mark.django_db


def project_filtersets():
    import importlib

    found = []
    for config in apps.get_app_configs():
        if not config.path.startswith(str(apps.get_app_config("core").path).rsplit("/", 1)[0]):
            continue
        try:
            module = importlib.import_module(f"{config.name}.filters")
        except ModuleNotFoundError:
            continue
        found += [value for value in vars(module).values() if isinstance(value, type) and issubclass(value, django_filters.FilterSet) and value.__module__ == module.__name__]
    return found


def test_every_list_shows_the_same_rows_with_no_filter_as_its_filterset_would():
    filtersets = project_filtersets()
    assert len(filtersets) >= 9, [f.__name__ for f in filtersets]  # one per list at least: tasks, needs, claims, ledger, applications...
    for filterset_class in filtersets:
        queryset = filterset_class._meta.model.objects.all()
        through_filterset = filterset_class({}, queryset=queryset)
        assert through_filterset.is_valid(), filterset_class.__name__
        assert str(apply_filters(filterset_class, {}, queryset).query) == str(through_filterset.qs.query), filterset_class.__name__
