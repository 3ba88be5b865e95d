from django.contrib import admin

from budgets.models import Budget, Proposal


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "street", "amount", "voting_opens", "voting_closes", "closed_at"]
    readonly_fields = ["closed_at", "closed_by", "fund", "created_by"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "budget", "cost", "status", "votes_online", "votes_paper", "outcome"]
    readonly_fields = ["votes_online", "votes_paper", "rank", "outcome", "project"]
