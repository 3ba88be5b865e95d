"""Pages of participatory budgets: they call the same services and selectors as the API."""

from django.shortcuts import render

from budgets import selectors


def budget_list(request):
    return render(request, "budgets/list.html", {"budgets": selectors.budgets(request.GET)})
